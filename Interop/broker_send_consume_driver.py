"""send_sync and send_oneway, then push consumers get every message intact (C++ client, real broker).

A producer sends --sync messages with send_sync (each must be SEND_OK with a 32-hex-digit msg id
and a queue offset) and --oneway more with send_oneway, all with tags (TagA/TagB), keys and user
properties. Then a push consumer of a new group (subscribed to `*`) must receive every one exactly
once with body, keys, tags and properties intact (the send_sync ones with the msg id and queue offset
send_sync reported), and a push consumer of another new group subscribed to `TagA` must receive
exactly the TagA ones (the broker's tag filter). Prints SENT/ONEWAY/RECV lines and `OK ...`.
"""
import argparse
import os

from broker_common import (
    await_route, check, emit, check_fields, duplicates, make_message, run_main, send_batch, start_producer,
    start_push_consumer, tags_for, wait_for, Received,
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namesrv", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True, help="consumer group prefix")
    parser.add_argument("--run", default="sc%d" % os.getpid())
    parser.add_argument("--sync", type=int, default=8)
    parser.add_argument("--oneway", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=20)
    args = parser.parse_args()
    run = args.run
    total = args.sync + args.oneway

    producer = start_producer(args.namesrv, args.group + "_PG")
    sent = send_batch(producer, args.topic, run, args.sync)
    for seq in range(args.sync, total):
        producer.send_oneway(make_message(args.topic, run, seq))
        emit(f"ONEWAY {run}/{seq} {tags_for(seq)}")

    await_route(args.namesrv, args.topic)
    received = Received()
    everything = start_push_consumer(args.namesrv, args.group + "_ALL", args.topic, received, "all%d" % os.getpid())
    only_a = start_push_consumer(args.namesrv, args.group + "_TAGA", args.topic, received, "taga%d" % os.getpid(),
                                 expression="TagA")
    want_a = {seq for seq in range(total) if tags_for(seq) == "TagA"}
    done = wait_for(lambda: len(received.distinct(run, "all%d" % os.getpid())) == total
                    and received.distinct(run, "taga%d" % os.getpid()) >= want_a, args.timeout)
    everything.shutdown()
    only_a.shutdown()
    producer.shutdown()

    all_items = received.of_run(run, "all%d" % os.getpid())
    a_items = received.of_run(run, "taga%d" % os.getpid())
    got_all = {item["seq"] for item in all_items}
    got_a = {item["seq"] for item in a_items}
    check(done, f"within {args.timeout} s the `*` consumer got {sorted(got_all)} of 0..{total - 1} and the TagA "
                f"consumer {sorted(got_a)} of {sorted(want_a)}")
    check(not duplicates(all_items), f"the `*` consumer got duplicates {duplicates(all_items)}")
    check(not duplicates(a_items), f"the TagA consumer got duplicates {duplicates(a_items)}")
    check(got_a == want_a, f"the TagA consumer got {sorted(got_a)}, want exactly {sorted(want_a)}")
    for item in all_items + a_items:
        check_fields(item, args.topic, run, sent)
    strays = [item for item in received.snapshot() if item["run"] != run]
    check(not strays, f"messages of other runs: {strays[:3]}")
    emit(f"OK sent={args.sync} oneway={args.oneway} received={len(all_items)} tagA={len(a_items)} "
         f"queues={len({item['queue'] for item in all_items})}")


if __name__ == "__main__":
    run_main(main)
