"""Drives the unmodified C++ client (PyPI rocketmq==0.4.4) against our name server.

A fake broker (a plain socket here) registers a topic with the name server; the real client then
looks the topic up, must parse our route JSON (version 63: unquoted brokerAddrs keys), connect to
the broker address it names and send SEND_MESSAGE there. The fake broker answers SUCCESS, and
send_sync must report it. Prints one `OK ...` line; exits non-zero on any failure.
"""
import argparse
import json
import socket
import sys
import threading

from rocketmq.client import Message, Producer, SendStatus

from broker_common import retry_unrouted
from remoting_client import ONEWAY_FLAG, RESPONSE_FLAG, encode_frame, read_frame


def register_broker(namesrv, broker_addr, topic):
    host, port = namesrv.split(":")
    body = json.dumps({
        "filterServerList": [],
        "topicConfigSerializeWrapper": {
            "dataVersion": {"counter": 1, "timestamp": 1},
            "topicConfigTable": {topic: {
                "order": False, "perm": 6, "readQueueNums": 2, "topicFilterType": "SINGLE_TAG",
                "topicName": topic, "topicSysFlag": 0, "writeQueueNums": 2}},
        },
    }, separators=(",", ":")).encode()
    ext = {"brokerName": "broker-py", "brokerAddr": broker_addr, "clusterName": "DefaultCluster",
           "haServerAddr": "127.0.0.1:1", "brokerId": "0", "compressed": "false", "bodyCrc32": "0"}
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(encode_frame(103, ext, body, opaque=1))
    header, _ = read_frame(sock)
    if header["code"] != 0:
        raise SystemExit(f"REGISTER_BROKER answered {header}")
    return sock  # keep the broker's connection open: closing it unregisters the broker


def fake_broker(listener, seen, errors):
    try:
        conn, _ = listener.accept()
        conn.settimeout(20)
        while True:
            header, body = read_frame(conn)
            if header["code"] in (10, 310):
                fields = header.get("extFields", {})
                topic = fields.get("topic", fields.get("b"))
                queue = int(fields.get("queueId", fields.get("e", -1)))
                seen.append((header["code"], topic, queue, body))
                conn.sendall(encode_frame(0, {
                    "msgId": "7F00000100002A9F0000000000000000", "queueId": str(queue), "queueOffset": "0"},
                    opaque=header["opaque"], flag=RESPONSE_FLAG))
                return
            # Heartbeats and the like: answer SUCCESS so the client carries on.
            if not header.get("flag", 0) & ONEWAY_FLAG:
                conn.sendall(encode_frame(0, opaque=header["opaque"], flag=RESPONSE_FLAG))
    except Exception as error:  # reported by the main thread
        errors.append(error)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namesrv", required=True)
    args = parser.parse_args()
    topic = "PyRouteTopic"

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    broker_addr = "127.0.0.1:%d" % listener.getsockname()[1]
    keep = register_broker(args.namesrv, broker_addr, topic)

    seen, errors = [], []
    thread = threading.Thread(target=fake_broker, args=(listener, seen, errors), daemon=True)
    thread.start()

    producer = Producer("PID_PY_ROUTE", timeout=5000)
    producer.set_namesrv_addr(args.namesrv)
    producer.start()
    try:
        message = Message(topic)
        message.set_body("hello from the C++ client")
        result = retry_unrouted(lambda: producer.send_sync(message), topic)
    finally:
        producer.shutdown()
        keep.close()
    thread.join(timeout=10)
    if errors:
        raise SystemExit(f"fake broker failed: {errors[0]!r}")
    if not seen:
        raise SystemExit("the client never reached the broker address from the route")
    code, sent_topic, queue, body = seen[0]
    if sent_topic != topic or not (0 <= queue < 2) or body != b"hello from the C++ client":
        raise SystemExit(f"unexpected send: {seen[0]!r}")
    if result.status != SendStatus.OK:
        raise SystemExit(f"send_sync reported {result.status}")
    print(f"OK code={code} topic={sent_topic} queueId={queue} msgId={result.msg_id}")


if __name__ == "__main__":
    sys.exit(main())
