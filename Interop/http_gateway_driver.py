"""The HTTP gateway (`rocketmq http`) with a real HTTP client (urllib), a real receiving HTTP server
(http.server) standing for a subscriber's backurl, and the unmodified C++ client (PyPI rocketmq==0.4.4)
on the RocketMQ side. One phase per run (`--phase`):

    send            POST /topics/T/messages (binary body, tags, keys, a property): a C++ push consumer
                    gets it intact with the msgId the gateway answered; 404 unknown topic, 413 too
                    large, 400 malformed.
    push            a C++-produced message (and the 100 kB one the producer compresses) reaches the
                    backurl intact, metadata in headers, with an HMAC-SHA256 signature the receiver
                    verifies with the secret (and a wrong secret does not verify).
    retry           a backurl answering 500, 500, then 200 gets the message three times, reconsume
                    times 0, 1, 2, the second gap longer than the first (the broker's delay levels).
    dlq             a backurl that always fails gets it 1 + maxReconsumeTimes times; then it is in
                    %DLQ%<group>.
    before-restart  a subscription; three messages delivered and acknowledged.
    after-restart   (the gateway was restarted) the subscription is still listed; new messages are
                    delivered; none of the acknowledged ones comes again.

Prints HTTP / DELIVERED / SIG / DLQ lines and `OK …` (see broker_common for the conventions).
"""
import argparse
import hashlib
import hmac
import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from broker_common import (
    await_route, body_for, check, emit, keys_for, pull_all, route_known, run_main, send_sync, start_producer,
    tags_for, wait_for,
)
from semantics_common import CONSUME_SUCCESS, message_fields, start_raw_push_consumer


def http(method, url, body=None, headers=None, timeout=10):
    """(status, parsed JSON or raw bytes) of one request; never raises on an HTTP error status."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, data = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, data = error.code, error.read()
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = data
    emit(f"HTTP {method} {urllib.parse.urlsplit(url).path} {status}")
    return status, parsed


class Receiver:
    """A backurl server on 127.0.0.1:`port`. Per path: /flaky answers 500 to a message's first two
    deliveries (reconsume times 0 and 1) then 200, /fail always 500, anything else 200. Keeps every request: (path, lower-cased headers, body, monotonic time)."""

    def __init__(self, port):
        self.lock = threading.Lock()
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                item = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body, "at": time.monotonic()}
                with receiver.lock:
                    receiver.requests.append(item)
                attempt = int(item["headers"].get("x-rocketmq-reconsume-times") or 0)
                status = 200
                if self.path == "/fail" or (self.path == "/flaky" and attempt < 2):
                    status = 500
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def of(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path and r["headers"].get("x-rocketmq-message-type") == "Notification"]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def signature(secret, timestamp, body):
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def unquote(value):
    return urllib.parse.unquote(value) if value is not None else None


def subscribe(gateway, group, topic, backurl, **extra):
    spec = {"group": group, "topic": topic, "backurl": backurl, **extra}
    status, answer = http("POST", gateway + "/subscriptions", json.dumps(spec).encode(), {"Content-Type": "application/json"})
    check(status == 201, f"POST /subscriptions {group}: {status} {answer}")
    check(answer["status"] == "ACTIVE", f"subscription {group} is {answer['status']}")
    return answer


def ensure_topic(namesrv, producer, topic, run):
    """The topic exists at the name server (a first C++ send creates it at the broker)."""
    send_sync(producer, topic, "warm-" + run, 0)
    await_route(namesrv, topic)


def check_delivery(item, topic, run, seq, msg_id):
    headers = item["headers"]
    what = f"delivery of {run}/{seq}"
    check(item["body"] == body_for(run, seq).encode(), f"{what}: body of {len(item['body'])} bytes {item['body'][:60]!r}")
    check(headers.get("x-rocketmq-msg-id") == msg_id, f"{what}: msg id {headers.get('x-rocketmq-msg-id')} want {msg_id}")
    check(headers.get("x-rocketmq-topic") == topic, f"{what}: topic {headers.get('x-rocketmq-topic')}")
    check(unquote(headers.get("x-rocketmq-tags")) == tags_for(seq), f"{what}: tags {headers.get('x-rocketmq-tags')}")
    check(unquote(headers.get("x-rocketmq-keys")) == keys_for(run, seq), f"{what}: keys {headers.get('x-rocketmq-keys')}")
    check(unquote(headers.get("x-rocketmq-property-run")) == run, f"{what}: property run")
    check(unquote(headers.get("x-rocketmq-property-seq")) == str(seq), f"{what}: property seq")
    check(unquote(headers.get("x-rocketmq-property-note")) == "user property \u00fc=1 b",
          f"{what}: property note {headers.get('x-rocketmq-property-note')!r}")
    for name in ("x-rocketmq-queue-id", "x-rocketmq-queue-offset", "x-rocketmq-born-timestamp", "x-rocketmq-reconsume-times"):
        check((headers.get(name) or "").isdigit(), f"{what}: {name} = {headers.get(name)!r}")


def phase_send(args, run):
    gateway = args.gateway
    producer = start_producer(args.namesrv, "HTTP_SEND_PG")
    ensure_topic(args.namesrv, producer, args.topic, run)
    producer.shutdown()
    got = []
    lock = threading.Lock()

    def on_message(message):
        fields = message_fields(message, time.monotonic())
        if fields["run"] == run:
            with lock:
                got.append(fields)
        return CONSUME_SUCCESS

    consumer = start_raw_push_consumer(args.namesrv, "HTTP_SEND_CG", args.topic, "http-send-%d" % os.getpid(), on_message)
    try:
        # Binary and UTF-8, but no NUL: the C++ wrapper hands the body to Python as a C string.
        body = bytes([1, 2, 0xFF, 0x80]) + "http body \u00e9\u2713".encode()
        headers = {"X-RocketMQ-Tags": "TagH", "X-RocketMQ-Keys": "HK1 HK2",
                   "X-RocketMQ-Property-note": urllib.parse.quote("via http \u00fc"), "Content-Type": "application/octet-stream"}
        url = f"{gateway}/topics/{args.topic}/messages?property.run={run}&property.seq=1"
        status, answer = http("POST", url, body, headers)
        check(status == 200 and answer["status"] == "SEND_OK", f"send: {status} {answer}")
        for field in ("msgId", "offsetMsgId", "queueId", "queueOffset"):
            check(field in answer, f"send answer lacks {field}: {answer}")
        check(wait_for(lambda: len(got) >= 1, 30), "the C++ consumer did not get the HTTP-sent message within 30 s")
        item = got[0]
        check(item["body"] == body, f"body {item['body']!r}, want {body!r}")
        check(item["id"] == answer["msgId"], f"msg id {item['id']}, gateway answered {answer['msgId']}")
        check(item["tags"] == "TagH" and item["keys"] == "HK1 HK2", f"tags/keys {item['tags']!r} {item['keys']!r}")
        check(item["note"] == "via http \u00fc", f"property note {item['note']!r}")
        check(item["queue"] == answer["queueId"] and item["offset"] == answer["queueOffset"], f"queue/offset {item}")
        emit(f"RECV {item['id']} {item['queue']} {item['offset']}")

        status, error = http("POST", f"{gateway}/topics/NoSuchTopicHere/messages", b"x")
        check(status == 404 and error["code"] == 404 and error["message"], f"unknown topic: {status} {error}")
        status, error = http("POST", f"{gateway}/topics/{args.topic}/messages", b"x" * (args.max_message_size + 1))
        check(status == 413 and error["code"] == 413, f"too large: {status} {error}")
        status, error = http("POST", f"{gateway}/topics/{args.topic}/messages?delayLevel=soon", b"x")
        check(status == 400 and error["code"] == 400, f"malformed: {status} {error}")
        status, error = http("POST", f"{gateway}/subscriptions", b"{not json")
        check(status == 400 and error["code"] == 400, f"malformed subscription: {status} {error}")
        status, error = http("GET", f"{gateway}/subscriptions/NoSuchGroup")
        check(status == 404 and error["code"] == 404, f"unknown subscription: {status} {error}")
        status, document = http("GET", f"{gateway}/openapi.yaml")
        check(status == 200 and document.startswith(b"openapi: 3"), f"openapi.yaml: {status}")
        status, health = http("GET", f"{gateway}/health")
        check(status == 200 and health["status"] == "UP", f"health: {status} {health}")
        time.sleep(1)  # would a duplicate come? (the consumer commits, nothing else to wait on)
        check(len(got) == 1, f"the message arrived {len(got)} times")
    finally:
        consumer.shutdown()
    emit("OK send")


def phase_push(args, run):
    receiver = Receiver(args.receiver_port)
    producer = start_producer(args.namesrv, "HTTP_PUSH_PG")
    try:
        ensure_topic(args.namesrv, producer, args.topic, run)
        subscribe(args.gateway, "HTTP_PUSH_CG", args.topic, f"http://127.0.0.1:{args.receiver_port}/push",
                  secret=args.secret, filter="TagA || TagB")
        sent = {seq: send_sync(producer, args.topic, run, seq)[0] for seq in (0, 1, 5)}
        check(wait_for(lambda: len([r for r in receiver.of("/push") if r["headers"].get("x-rocketmq-property-run") == run]) >= 3, 30),
              f"the backurl got {len(receiver.of('/push'))} of 3 within 30 s")
        mine = [r for r in receiver.of("/push") if r["headers"].get("x-rocketmq-property-run") == run]
        for item in mine:
            seq = int(item["headers"]["x-rocketmq-property-seq"])
            check_delivery(item, args.topic, run, seq, sent[seq])
            timestamp = item["headers"].get("x-rocketmq-timestamp", "")
            given = item["headers"].get("x-rocketmq-signature", "")
            good = hmac.compare_digest(signature(args.secret, timestamp, item["body"]), given)
            bad = hmac.compare_digest(signature(args.secret + "x", timestamp, item["body"]), given)
            check(good and not bad, f"signature of {run}/{seq}: {given!r} (verifies: {good}, with a wrong secret: {bad})")
            emit(f"DELIVERED {item['headers']['x-rocketmq-msg-id']} {run}/{seq} {len(item['body'])}")
            emit(f"SIG {run}/{seq} ok wrong-secret-rejected")
        check(sorted(int(r["headers"]["x-rocketmq-property-seq"]) for r in mine) == [0, 1, 5], "each message once")
    finally:
        producer.shutdown()
        receiver.close()
    emit("OK push")


def phase_retry(args, run):
    receiver = Receiver(args.receiver_port)
    producer = start_producer(args.namesrv, "HTTP_RETRY_PG")
    try:
        ensure_topic(args.namesrv, producer, args.topic, run)
        subscribe(args.gateway, "HTTP_RETRY_CG", args.topic, f"http://127.0.0.1:{args.receiver_port}/flaky")
        msg_id, _ = send_sync(producer, args.topic, run, 0)
        mine = lambda: [r for r in receiver.of("/flaky") if r["headers"].get("x-rocketmq-property-run") == run]
        check(wait_for(lambda: len(mine()) >= 3, 40), f"the backurl got {len(mine())} of 3 deliveries within 40 s")
        time.sleep(args.level_seconds * 3)  # a fourth would come a level later: none may
        got = mine()
        check(len(got) == 3, f"{len(got)} deliveries, want 3 (500, 500, 200)")
        for n, item in enumerate(got):
            check_delivery(item, args.topic, run, 0, msg_id)
            check(item["headers"]["x-rocketmq-reconsume-times"] == str(n), f"delivery {n}: reconsume {item['headers']['x-rocketmq-reconsume-times']}")
        gaps = [got[1]["at"] - got[0]["at"], got[2]["at"] - got[1]["at"]]
        emit(f"GAPS {gaps[0]:.3f} {gaps[1]:.3f}")
        check(gaps[0] >= args.level_seconds - 0.2 and gaps[1] > gaps[0], f"delays {gaps} do not grow")
    finally:
        producer.shutdown()
        receiver.close()
    emit("OK retry")


def phase_dlq(args, run):
    receiver = Receiver(args.receiver_port)
    producer = start_producer(args.namesrv, "HTTP_DLQ_PG")
    group = "HTTP_DLQ_CG"
    try:
        ensure_topic(args.namesrv, producer, args.topic, run)
        subscribe(args.gateway, group, args.topic, f"http://127.0.0.1:{args.receiver_port}/fail", maxReconsumeTimes=2)
        msg_id, _ = send_sync(producer, args.topic, run, 0)
        mine = lambda: [r for r in receiver.of("/fail") if r["headers"].get("x-rocketmq-property-run") == run]
        check(wait_for(lambda: len(mine()) >= 3 and route_known(args.namesrv, "%DLQ%" + group), 40),
              f"{len(mine())} deliveries and %DLQ%{group} {'routed' if route_known(args.namesrv, '%DLQ%' + group) else 'not routed'} after 40 s")
        dead = []
        check(wait_for(lambda: dead.extend(x for x in pull_all(args.namesrv, group + "_READER", "%DLQ%" + group) if x["run"] == run) or dead, 10),
              f"%DLQ%{group} does not hold {run}/0")
        check(dead[0]["id"] == msg_id and dead[0]["body"] == body_for(run, 0).encode(), f"DLQ message {dead[0]}")
        emit(f"DLQ {group} {dead[0]['id']} reconsume={dead[0]['reconsume']}")
        time.sleep(args.level_seconds * 3)
        check(len(mine()) == 3, f"{len(mine())} deliveries, want 3 (1 + maxReconsumeTimes 2)")
    finally:
        producer.shutdown()
        receiver.close()
    emit("OK dlq")


def phase_before_restart(args, run):
    receiver = Receiver(args.receiver_port)
    producer = start_producer(args.namesrv, "HTTP_RESTART_PG")
    try:
        ensure_topic(args.namesrv, producer, args.topic, run)
        subscribe(args.gateway, "HTTP_RESTART_CG", args.topic, f"http://127.0.0.1:{args.receiver_port}/restart")
        for seq in range(3):
            send_sync(producer, args.topic, run, seq)
        mine = lambda: [r for r in receiver.of("/restart") if r["headers"].get("x-rocketmq-property-run") == run]
        check(wait_for(lambda: len(mine()) >= 3, 30), f"{len(mine())} of 3 delivered before the restart")
        for item in mine():
            emit(f"ACKED {item['headers']['x-rocketmq-msg-id']}")
    finally:
        producer.shutdown()
        receiver.close()
    emit("OK before-restart")


def phase_after_restart(args, run):
    receiver = Receiver(args.receiver_port)
    producer = start_producer(args.namesrv, "HTTP_RESTART_PG")
    try:
        status, listing = http("GET", args.gateway + "/subscriptions")
        groups = {item["group"]: item for item in listing["subscriptions"]}
        check("HTTP_RESTART_CG" in groups and groups["HTTP_RESTART_CG"]["status"] == "ACTIVE", f"after the restart: {listing}")
        emit(f"LISTED {' '.join(sorted(groups))}")
        sent = [send_sync(producer, args.topic, run, seq)[0] for seq in range(2)]
        mine = lambda: [r for r in receiver.of("/restart") if r["headers"].get("x-rocketmq-property-run") == run]
        check(wait_for(lambda: len(mine()) >= 2, 30), f"{len(mine())} of 2 delivered after the restart")
        time.sleep(2)  # redeliveries would come with the first pull: they had their chance
        old = [r for r in receiver.of("/restart") if r["headers"].get("x-rocketmq-property-run") != run]
        check(not old, f"acknowledged before the restart, delivered again: {[r['headers'].get('x-rocketmq-msg-id') for r in old]}")
        check(sorted(r["headers"]["x-rocketmq-msg-id"] for r in mine()) == sorted(sent), "each new message once")
        status, one = http("GET", args.gateway + "/subscriptions/HTTP_RESTART_CG")
        check(status == 200 and "lag" in one, f"GET one: {status} {one}")
        emit(f"LAG {json.dumps(one.get('lag'))}")
    finally:
        producer.shutdown()
        receiver.close()
    emit("OK after-restart")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase", required=True)
    parser.add_argument("--gateway", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--namesrv", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--receiver-port", type=int, default=0)
    parser.add_argument("--secret", default="interop-secret")
    parser.add_argument("--max-message-size", type=int, default=65536)
    parser.add_argument("--level-seconds", type=float, default=1.0)
    parser.add_argument("--run", default="ht%d" % os.getpid())
    args = parser.parse_args()
    phases = {"send": phase_send, "push": phase_push, "retry": phase_retry, "dlq": phase_dlq,
              "before-restart": phase_before_restart, "after-restart": phase_after_restart}
    phases[args.phase](args, args.run)


if __name__ == "__main__":
    run_main(main)
