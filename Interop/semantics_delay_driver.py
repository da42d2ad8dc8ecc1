"""Delay levels: a message sent with delay level L reaches a live push consumer after level L's delay
(± a tolerance), never before, exactly once and intact (C++ client, our broker).

A warm-up message creates the topic; a push consumer is started and must get it (so it is pulling
when the delayed messages are sent). Then `--delay LEVEL:SECONDS:COUNT` sends COUNT messages with
`set_delay_time_level(LEVEL)` each (a synchronous send to queue seq % 4 with send_orderly's selector,
SEND_OK), timing each from just before its send to its arrival in the consumer's callback. Each must
arrive within SECONDS ± `--tolerance` (the broker's default levels are "1s 5s 10s 30s 1m …", so level
2 is 5 s), once, in the queue it was sent to, with body, keys, tags and properties intact, the msg id
the send reported, reconsume_times 0, and DELAY, REAL_TOPIC and REAL_QID as Java keeps them on the
delivered message. Prints SENT, WARM, DELAYED <run>/<seq> <level> <seconds> and `OK …`.
"""
import argparse
import os
import threading
import time

from rocketmq.client import SendStatus

from broker_common import (
    MSG_ID, await_route, body_for, check, emit, keys_for, make_message, retry_unrouted, run_main, send_sync,
    start_producer, tags_for, wait_for,
)
from semantics_common import CONSUME_SUCCESS, await_warm_up, message_fields, start_raw_push_consumer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namesrv", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--run", default="dl%d" % os.getpid())
    parser.add_argument("--delay", action="append", required=True, help="LEVEL:SECONDS:COUNT")
    parser.add_argument("--tolerance", type=float, default=1.0)
    args = parser.parse_args()
    run = args.run
    plans = []
    for spec in args.delay:
        level, seconds, count = spec.split(":")
        plans.append((int(level), float(seconds), int(count)))

    lock = threading.Lock()
    got = []  # message fields, arrival (monotonic) in "at"

    def on_message(message):
        fields = message_fields(message, time.monotonic())
        with lock:
            got.append(fields)
        emit(f"RECV delay {fields['id']} {fields['queue']} {fields['offset']} {fields['run']} {fields['seq']}")
        return CONSUME_SUCCESS

    producer = start_producer(args.namesrv, args.group + "_PG")
    warm = "warm-" + run
    send_sync(producer, args.topic, warm, 0)
    await_route(args.namesrv, args.topic)
    consumer = start_raw_push_consumer(args.namesrv, args.group, args.topic, "delay%d" % os.getpid(), on_message)
    try:
        await_warm_up(got, lock, warm)

        sent = {}  # seq → (level, expected seconds, send start (monotonic), msg id)
        seq = 0
        for level, seconds, count in plans:
            for _ in range(count):
                message = make_message(args.topic, run, seq)
                message.set_delay_time_level(level)
                started = time.monotonic()
                msg_id, queue = send_to_queue(producer, message, run, seq)
                sent[seq] = (level, seconds, started, msg_id, queue)
                seq += 1
        longest = max(seconds for _, seconds, _ in plans)
        last_send = max(started for _, _, started, _, _ in sent.values())

        def mine():
            with lock:
                return [item for item in got if item["run"] == run]

        everything = wait_for(lambda: {item["seq"] for item in mine()} >= set(sent),
                              longest + args.tolerance + 3)
        # Anything arriving twice would do so right after the first: a short look for duplicates.
        wait_for(lambda: False, 0.5 if everything else 0)
    finally:
        consumer.shutdown()
        producer.shutdown()

    items = mine()
    missing = sorted(set(sent) - {item["seq"] for item in items})
    check(not missing, f"delayed messages {missing} did not arrive within {longest + args.tolerance + 3:.0f} s "
                       f"of the last send ({time.monotonic() - last_send:.1f} s ago); got {[i['seq'] for i in items]}")
    counts = {}
    for item in items:
        counts[item["seq"]] = counts.get(item["seq"], 0) + 1
    check(all(count == 1 for count in counts.values()), f"delayed messages arrived more than once: {counts}")
    problems = []
    for item in sorted(items, key=lambda item: item["seq"]):
        level, seconds, started, msg_id, queue = sent[item["seq"]]
        elapsed = item["at"] - started
        broker_delay = (item["stored"] - item["born"]) / 1000.0
        emit(f"DELAYED {run}/{item['seq']} {level} {elapsed:.3f} stored-born={broker_delay:.3f}")
        if not seconds - args.tolerance <= elapsed <= seconds + args.tolerance:
            problems.append(f"{run}/{item['seq']} (level {level}) arrived {elapsed:.3f} s after its send, "
                            f"want {seconds} ± {args.tolerance} s")
        what = f"delayed {run}/{item['seq']}"
        check(item["topic"] == args.topic and item["queue"] == queue,
              f"{what}: {item['topic']!r} queue {item['queue']}, sent to {args.topic} queue {queue}")
        check(item["body"] == body_for(run, item["seq"]).encode(), f"{what}: body {item['body'][:60]!r}")
        check(item["keys"] == keys_for(run, item["seq"]), f"{what}: keys {item['keys']!r}")
        check(item["tags"] == tags_for(item["seq"]), f"{what}: tags {item['tags']!r}")
        check(item["note"] == "user property \u00fc=1 b", f"{what}: property note {item['note']!r}")
        check(item["reconsume"] == 0, f"{what}: reconsume_times {item['reconsume']}")
        check(item["id"] == msg_id, f"{what}: msg id {item['id']} but the send said {msg_id}")
        check(item["delay"] == str(level) and item["real_topic"] == args.topic and item["real_qid"] == str(queue),
              f"{what}: DELAY/REAL_TOPIC/REAL_QID {item['delay']!r}/{item['real_topic']!r}/{item['real_qid']!r}, want "
              f"{level}/{args.topic}/{queue} (Java keeps them on the delivered message)")
    check(not problems, "; ".join(problems))
    emit(f"OK delayed={len(items)} levels={sorted({level for level, _, _ in plans})}")


def send_to_queue(producer, message, run, seq):
    """send_orderly to queue seq % queues (a synchronous send with a chosen queue), so that the
    delivery can be checked to come back to the queue the message was sent to (REAL_QID)."""
    chosen = {}

    def select(size, _message, _arg):
        chosen["queue"] = seq % size
        return chosen["queue"]

    result = retry_unrouted(lambda: producer.send_orderly(message, 0, queue_selector=select), f"{run}/{seq}")
    check(result.status == SendStatus.OK, f"send {run}/{seq} status {result.status!r}")
    check(MSG_ID.match(result.msg_id), f"send {run}/{seq} msg_id {result.msg_id!r}")
    emit(f"SENT {result.msg_id} {result.offset} {run}/{seq} {tags_for(seq)} queue={chosen['queue']}")
    return result.msg_id, chosen["queue"]


if __name__ == "__main__":
    run_main(main)
