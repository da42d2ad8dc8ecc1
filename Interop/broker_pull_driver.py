"""A PullConsumer of a new group reads every queue of a topic from offset 0 (C++ client, real broker).

Pulls all queues (FetchSubscriptionMessageQueues, then PULL_MESSAGE from offset 0 until NO_NEW_MSG)
and checks the result against --expect RUN:COUNT (repeatable): exactly messages 0..COUNT-1 of each
run, each once, with body, keys, tags and properties intact, and per queue the offsets 0, 1, 2, …
without a gap. With --only-tag the expression is that tag and only the matching messages must come.
Prints PULLED lines and `OK ...`.
"""
import argparse

from broker_common import check, emit, check_fields, duplicates, pull_all, run_main, tags_for


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namesrv", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--expect", action="append", default=[], help="RUN:COUNT, the messages the topic holds")
    parser.add_argument("--only-tag")
    args = parser.parse_args()
    expected = {}
    for spec in args.expect:
        run, count = spec.rsplit(":", 1)
        expected[run] = int(count)

    items = pull_all(args.namesrv, args.group, args.topic, args.only_tag or "*")

    check(not duplicates(items), f"pulled duplicates {duplicates(items)}")
    runs = {item["run"] for item in items}
    check(runs <= set(expected), f"pulled messages of unexpected runs {sorted(runs - set(expected))}")
    for run, count in expected.items():
        want = {seq for seq in range(count) if args.only_tag is None or tags_for(seq) == args.only_tag}
        got = {item["seq"] for item in items if item["run"] == run}
        check(got == want, f"run {run}: pulled {sorted(got)}, want {sorted(want)}")
    for item in items:
        check_fields(item, args.topic, item["run"])
    queues = {}
    for item in items:
        queues.setdefault(item["queue"], []).append(item["offset"])
    if args.only_tag is None:
        for queue, offsets in queues.items():
            check(offsets == list(range(len(offsets))), f"queue {queue}: offsets {offsets}, want 0… without a gap")
    emit(f"OK pulled={len(items)} queues={sorted(queues)} per-queue={[len(queues[q]) for q in sorted(queues)]}")


if __name__ == "__main__":
    run_main(main)
