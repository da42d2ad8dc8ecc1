"""Broadcasting: two push consumers of one group (MessageModel.BROADCASTING) both get every message.

A warm-up send creates the topic; consumers A and B of a new group start in broadcasting mode (own
instance names; their offsets live in local files under $HOME/.rocketmq_offsets, and a consumer
without one starts at the queue's max offset, so only messages sent after it started count).
--count messages go round-robin over the queues; each consumer must receive every one exactly once,
intact. (Whether a consumer also gets the warm-up depends on whether the broker had dispatched it to
its consume queue when the consumer asked for the max offset; both are right, so it is not counted.)
Prints SENT/RECV lines and `OK ...`.
"""
import argparse
import os

from broker_common import (
    await_route, check, emit, check_fields, duplicates, run_main, send_batch, send_to_queue, start_producer,
    start_push_consumer, wait_for, Received,
)
from rocketmq.client import MessageModel


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namesrv", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=15)
    args = parser.parse_args()
    tag = str(os.getpid())
    names = ["ba" + tag, "bb" + tag]

    producer = start_producer(args.namesrv, args.group + "_PG")
    send_to_queue(producer, args.topic, "warmup" + tag, 0, 0)
    await_route(args.namesrv, args.topic)
    received = Received()
    consumers = [start_push_consumer(args.namesrv, args.group, args.topic, received, name,
                                     model=MessageModel.BROADCASTING) for name in names]

    run = "bc" + tag
    sent = send_batch(producer, args.topic, run, args.count)
    everyone = set(range(args.count))
    all_in = wait_for(lambda: all(received.distinct(run, name) == everyone for name in names), args.timeout)
    for consumer in consumers:
        consumer.shutdown()
    producer.shutdown()
    for name in names:
        got = received.of_run(run, name)
        check(all_in, f"within {args.timeout} s {name} got {sorted({item['seq'] for item in got})} of 0..{args.count - 1}")
        check(not duplicates(got), f"{name} got duplicates {duplicates(got)}")
        for item in got:
            check_fields(item, args.topic, run, sent)
    emit(f"OK count={args.count} " + " ".join(f"{name}={len(received.of_run(run, name))}" for name in names))


if __name__ == "__main__":
    run_main(main)
