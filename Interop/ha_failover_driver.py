"""SIGKILL of a SYNC_MASTER in the 2m-2s-sync deployment: nothing acknowledged is lost.

The topic is created on both masters (UPDATE_AND_CREATE_TOPIC, 4 queues each) and routed by the name
server with both broker names. The producer sends --count messages with send_sync; after half of
them it SIGKILLs --kill-pid (master-a) and goes on: while broker-a has no master every send that
succeeds went to broker-b. Only then does a push consumer of --group start, so every acknowledged
message (SEND_OK, FLUSH_SLAVE_TIMEOUT, SLAVE_NOT_AVAILABLE, FLUSH_DISK_TIMEOUT: all stored) that went
to broker-a can only come from slave-a; it must all be consumed. The consumer runs on to the end
(committing offsets, to slave-a while its master is down). Then the driver creates --restart-request, waits for --restarted (the test
restarts master-a), sends --after more messages and waits for them too. Lines:

    SENT <status> <msgId> <offset> <run>/<seq> <phase>     an acknowledged send (phase before/after/restarted)
    SEND_FAIL <run>/<seq> <phase> <error>                  a send that failed (not acknowledged)
    KILLED <pid>
    RECV ...                                               (broker_common)
    DUPLICATE <run>/<seq> <msgId> <times>                  one message delivered more than once
    RESENT <run>/<seq> <copies>                            stored more than once by producer retries
    OK acked=<n> consumed=<n> after_kill=<n> duplicates=<n> producer_resends=<n>
"""
import argparse
import os
import signal
import time

from broker_common import (
    check, check_fields, emit, make_message, run_main, start_producer, start_push_consumer, wait_for, Received,
)
from remoting_client import RemotingConnection, parse_route, GET_ROUTEINFO_BY_TOPIC
from rocketmq.client import SendStatus

UPDATE_AND_CREATE_TOPIC = 17
GET_ALL_TOPIC_CONFIG = 21


def knows_topic(broker, topic):
    """Whether `broker`'s topic table (GET_ALL_TOPIC_CONFIG) has `topic`: a slave copies it from its master
    every 10 s, and answers pulls of a topic it does not know with TOPIC_NOT_EXIST."""
    try:
        connection = RemotingConnection(broker)
        try:
            header, body = connection.invoke(GET_ALL_TOPIC_CONFIG)
        finally:
            connection.close()
    except OSError:
        return False
    return header["code"] == 0 and f'"topicName":"{topic}"' in body.decode()


def create_topic(broker, topic):
    connection = RemotingConnection(broker)
    try:
        header, _ = connection.invoke(UPDATE_AND_CREATE_TOPIC, {
            "topic": topic, "defaultTopic": "TBW102", "readQueueNums": "4", "writeQueueNums": "4", "perm": "6",
            "topicFilterType": "SINGLE_TAG", "topicSysFlag": "0", "order": "false",
        })
    finally:
        connection.close()
    check(header["code"] == 0, f"UPDATE_AND_CREATE_TOPIC on {broker}: {header}")


def routed_brokers(namesrv, topic):
    """The broker names with queue data for `topic` at one name server."""
    try:
        connection = RemotingConnection(namesrv)
        try:
            header, body = connection.invoke(GET_ROUTEINFO_BY_TOPIC, {"topic": topic})
        finally:
            connection.close()
    except OSError:
        return set()
    if header["code"] != 0:
        return set()
    return {queue["brokerName"] for queue in parse_route(body)["queueDatas"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namesrv", required=True, help="name servers, ';'-separated")
    parser.add_argument("--masters", required=True, help="master addresses to create the topic on, ','-separated")
    parser.add_argument("--slaves", required=True, help="slave addresses that must have copied the topic, ','-separated")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--run", required=True)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--after", type=int, default=40)
    parser.add_argument("--kill-pid", type=int, required=True)
    parser.add_argument("--restart-request", required=True)
    parser.add_argument("--restarted", required=True)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()

    for master in args.masters.split(","):
        create_topic(master, args.topic)
    names = args.namesrv.split(";")
    check(wait_for(lambda: all(routed_brokers(n, args.topic) == {"broker-a", "broker-b"} for n in names), 15),
          f"the name servers did not route {args.topic} to both broker-a and broker-b")

    check(wait_for(lambda: all(knows_topic(slave, args.topic) for slave in args.slaves.split(",")), 25, interval=0.5),
          f"the slaves did not copy {args.topic} from their masters within 25 s")
    received = Received()
    producer = start_producer(args.namesrv, args.group + "_PG")
    acked = {}
    statuses = {}
    after_kill = 0

    def send(seq, phase):
        nonlocal after_kill
        try:
            result = producer.send_sync(make_message(args.topic, args.run, seq))
        except Exception as error:  # a send to the killed master may fail: not acknowledged
            emit(f"SEND_FAIL {args.run}/{seq} {phase} {type(error).__name__}")
            return
        check(result.status in (SendStatus.OK, SendStatus.FLUSH_DISK_TIMEOUT, SendStatus.FLUSH_SLAVE_TIMEOUT,
                                SendStatus.SLAVE_NOT_AVAILABLE), f"send {seq}: status {result.status!r}")
        acked[seq] = (result.msg_id, result.offset)
        statuses[result.status.name] = statuses.get(result.status.name, 0) + 1
        if phase == "after":
            after_kill += 1
        emit(f"SENT {result.status.name} {result.msg_id} {result.offset} {args.run}/{seq} {phase}")

    # From 10 on: broker_common gives seq 5 a 100 kB body, beyond the deployment's maxMessageSize (64 KiB).
    first_seq = 10
    half = first_seq + args.count // 2
    for seq in range(first_seq, half):
        send(seq, "before")
    os.kill(args.kill_pid, signal.SIGKILL)
    emit(f"KILLED {args.kill_pid}")
    for seq in range(half, first_seq + args.count):
        send(seq, "after")
        time.sleep(0.01)
    check(after_kill > 0, "no send succeeded after master-a was killed (broker-b should have taken them)")
    consumer = start_push_consumer(args.namesrv, args.group, args.topic, received, f"ha-{os.getpid()}")

    def all_in(seqs):
        return seqs <= received.distinct(args.run)

    first = set(acked)
    check(wait_for(lambda: all_in(first), args.timeout, interval=0.2),
          f"with master-a down, {len(first - received.distinct(args.run))} acknowledged message(s) were not consumed "
          f"within {args.timeout} s: {sorted(first - received.distinct(args.run))[:20]}")
    emit(f"PHASE down acked={len(first)} consumed={len(received.distinct(args.run))}")

    open(args.restart_request, "w").close()
    check(wait_for(lambda: os.path.exists(args.restarted), args.timeout, interval=0.1), "master-a was not restarted")
    for seq in range(first_seq + args.count, first_seq + args.count + args.after):
        send(seq, "restarted")
    check(wait_for(lambda: all_in(set(acked)), args.timeout, interval=0.2),
          f"after master-a's restart, {sorted(set(acked) - received.distinct(args.run))[:20]} were not consumed")
    # A little longer, so that a duplicate delivery has the chance to show.
    time.sleep(2)
    consumer.shutdown()
    producer.shutdown()

    items = received.of_run(args.run)
    for item in items:
        check_fields(item, args.topic, args.run)
    # A message delivered twice (same msgId) is a consumer duplicate. The same seq under two msgIds is a
    # producer retry: the C++ producer resends to another broker when a send is answered SLAVE_NOT_AVAILABLE
    # (retryAnotherBrokerWhenNotStoreOK), which a SYNC_MASTER answers until its slave reconnects, but stores.
    deliveries = {}
    copies = {}
    for item in items:
        deliveries[item["id"]] = deliveries.get(item["id"], 0) + 1
        copies.setdefault(item["seq"], set()).add(item["id"])
    seq_of = {item["id"]: item["seq"] for item in items}
    duplicates = {msg_id: times for msg_id, times in deliveries.items() if times > 1}
    for msg_id, times in sorted(duplicates.items()):
        emit(f"DUPLICATE {args.run}/{seq_of[msg_id]} {msg_id} {times}")
    resent = {seq: len(ids) for seq, ids in copies.items() if len(ids) > 1}
    for seq, count in sorted(resent.items()):
        emit(f"RESENT {args.run}/{seq} {count}")
    emit(f"OK acked={len(acked)} consumed={len(copies)} after_kill={after_kill} duplicates={len(duplicates)} "
         f"producer_resends={len(resent)} statuses={statuses}")


if __name__ == "__main__":
    run_main(main)
