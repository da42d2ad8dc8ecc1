"""A push consumer restarted in the same group resumes at its committed offsets.

For each --batch N (repeatable), in order: send N new messages, start a push consumer of --group
(a new instance name each time, as a restarted process has a new client id), wait until it has
all N, shut it down (the C++ client commits its offsets to the broker on shutdown). The consumer of
batch i must receive exactly batch i's messages, each once: anything sent before (earlier batches,
or earlier runs of this driver against the same store, e.g. before a broker restart) is a
re-delivery, which the broker's committed offsets must prevent. The first consumer of a new group
starts at offset 0 (the broker answers QUERY_CONSUMER_OFFSET with 0 while the queue's first message
is in memory), so on a new topic it gets batch 0. Prints SENT/RECV lines and `OK ...`.
"""
import argparse
import os

from broker_common import (
    await_route, check, emit, check_fields, duplicates, run_main, send_batch, start_producer, start_push_consumer, wait_for,
    Received,
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namesrv", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--run", required=True, help="prefix of the runs; batch i is RUN-i")
    parser.add_argument("--batch", type=int, action="append", required=True)
    parser.add_argument("--timeout", type=float, default=15)
    args = parser.parse_args()

    producer = start_producer(args.namesrv, args.group + "_PG")
    for index, count in enumerate(args.batch):
        run = f"{args.run}-{index}"
        sent = send_batch(producer, args.topic, run, count)
        await_route(args.namesrv, args.topic)
        received = Received()
        name = f"r{index}-{os.getpid()}"
        consumer = start_push_consumer(args.namesrv, args.group, args.topic, received, name)
        all_in = wait_for(lambda: len(received.distinct(run)) == count, args.timeout)
        consumer.shutdown()
        items = received.snapshot()
        check(all_in, f"consumer {name} got {sorted(received.distinct(run))} of batch {run} 0..{count - 1} "
                      f"within {args.timeout} s")
        old = [f"{item['run']}/{item['seq']}@{item['queue']}:{item['offset']}" for item in items if item["run"] != run]
        check(not old, f"consumer {name} got {len(old)} message(s) sent before it: {old[:8]} "
                       f"(its group's committed offsets were not honoured)")
        check(not duplicates(items), f"consumer {name} got duplicates {duplicates(items)}")
        for item in items:
            check_fields(item, args.topic, run, sent)
        emit(f"BATCH {run} sent={count} received={len(items)}")
    producer.shutdown()
    emit(f"OK batches={args.batch}")


if __name__ == "__main__":
    run_main(main)
