"""The Swift client (RocketMQClient) and the unmodified C++ client (PyPI rocketmq==0.4.4) through our
broker: this driver is the C++ side. It prints the lines of broker_common.py plus

    BODY <run>/<seq> <crc32> <length>      what a `produce` run sent as body (seq 5 is 100 kB)
    ORDER <queue> <seq,seq,…>              the seqs an orderly `consume` got per queue, in arrival order
    LATE <run>/<seq> <ms>                  for `consume --delay-ms`: arrival minus born time

produce  --run R --count N [--sharding 3] [--delay-level L]   send_sync (or send_orderly by seq % sharding)
consume  --run R --count N [--orderly] [--delay-ms D] [--only-seqs 0,2]
         waits for exactly the seqs wanted (all of run R, or --only-seqs), checks each message against
         the Swift producer's convention (`swift_body_for`), and that nothing else of run R arrives.
"""
import argparse
import time
import zlib

from rocketmq.client import PushConsumer

from broker_common import (Received, body_for, check, emit, keys_for, make_message, run_main, start_producer, tags_for,
                           wait_for, decode, retry_unrouted, SendStatus, MSG_ID)


def swift_body_for(run, seq):
    """The Swift producer's body: the shared text, and 100 kB of digits for seq 5 (compressed on the wire)."""
    text = f"body {run}/{seq} \u00e9\u2713 ="
    if seq == 5:
        text += "0123456789" * 10_000
    return text


def produce(args):
    producer = start_producer(args.namesrv, args.group)
    try:
        for seq in range(args.count):
            message = make_message(args.topic, args.run, seq)
            if args.delay_level:
                message.set_delay_time_level(args.delay_level)
            if args.sharding:
                send = lambda: producer.send_orderly(message, seq % args.sharding)  # noqa: E731
            else:
                send = lambda: producer.send_sync(message)  # noqa: E731
            result = retry_unrouted(send, f"{args.run}/{seq}")
            check(result.status == SendStatus.OK, f"send {args.run}/{seq} status {result.status!r}")
            check(MSG_ID.match(result.msg_id), f"send {args.run}/{seq} msg_id {result.msg_id!r}")
            emit(f"SENT {result.msg_id} {result.offset} {args.run}/{seq} {tags_for(seq)}")
            body = body_for(args.run, seq).encode()
            emit(f"BODY {args.run}/{seq} {zlib.crc32(body)} {len(body)}")
    finally:
        producer.shutdown()
    emit(f"OK produced {args.count}")


def consume(args):
    received = Received()
    wanted = set(int(s) for s in args.only_seqs.split(",")) if args.only_seqs else set(range(args.count))
    arrivals = {}

    def on_message(message):
        received.record("cpp", message)
        arrivals[(decode(message.get_property("run")), int(decode(message.get_property("seq")) or -1))] = time.time() * 1000

    consumer = PushConsumer(args.group, orderly=args.orderly)
    consumer.set_namesrv_addr(args.namesrv)
    consumer.set_thread_count(2)
    consumer.subscribe(args.topic, on_message, "*")
    consumer.start()
    try:
        check(wait_for(lambda: received.distinct(args.run) >= wanted, args.timeout),
              f"got seqs {sorted(received.distinct(args.run))} of run {args.run}, want {sorted(wanted)}")
        # Anything unwanted (a rolled-back half message, say) would arrive with the wanted ones.
        time.sleep(args.settle)
    finally:
        consumer.shutdown()
    items = received.of_run(args.run)
    check(received.distinct(args.run) == wanted, f"got seqs {sorted(received.distinct(args.run))}, want {sorted(wanted)}")
    for item in items:
        seq = item["seq"]
        what = f"got {args.run}/{seq}"
        check(item["topic"] == args.topic, f"{what}: topic {item['topic']!r}")
        want = swift_body_for(args.run, seq).encode()
        check(item["body"] == want, f"{what}: body of {len(item['body'])} bytes {item['body'][:40]!r}")
        check(item["keys"] == keys_for(args.run, seq), f"{what}: keys {item['keys']!r}")
        check(item["tags"] == tags_for(seq), f"{what}: tags {item['tags']!r}")
        check(item["note"] == "user property \u00fc=1 b", f"{what}: property note {item['note']!r}")
        check(MSG_ID.match(item["id"] or ""), f"{what}: id {item['id']!r}")
        if args.delay_ms:
            late = arrivals[(args.run, seq)] - item["born"]
            emit(f"LATE {args.run}/{seq} {late:.0f}")
            check(late >= args.delay_ms - 50, f"{what}: arrived {late:.0f} ms after its birth, want >= {args.delay_ms}")
    if args.orderly:
        by_queue = {}
        for item in items:
            by_queue.setdefault(item["queue"], []).append(item["seq"])
        for queue, seqs in sorted(by_queue.items()):
            emit(f"ORDER {queue} {','.join(str(s) for s in seqs)}")
            check(seqs == sorted(seqs), f"queue {queue} delivered {seqs} out of order")
    emit(f"OK consumed {len(items)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["produce", "consume"])
    parser.add_argument("--namesrv", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--run", required=True)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--sharding", type=int, default=0)
    parser.add_argument("--delay-level", type=int, default=0)
    parser.add_argument("--orderly", action="store_true")
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--only-seqs", default="")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--settle", type=float, default=1.0)
    args = parser.parse_args()
    produce(args) if args.mode == "produce" else consume(args)


if __name__ == "__main__":
    run_main(main)
