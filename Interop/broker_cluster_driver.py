"""Two push consumers of one group (clustering) split the queues; each message is consumed once.

1. A warm-up send creates the topic (a consumer started before its topic exists waits for its 30 s
   route poll). Consumers A and B of a new group start (own instance names, so own client ids).
2. The split must settle: the C++ client allocates averagely over the sorted client ids the broker
   lists (GET_CONSUMER_LIST_BY_GROUP) and the sorted queues, so A (instance name sorts first) owns
   the first half of the queues and B the rest. A takes every queue when it starts alone; it gives
   half up when the broker's NOTIFY_CONSUMER_IDS_CHANGED (sent when B's heartbeat registers it)
   makes it rebalance, otherwise only at its 10 s rebalance timer. Settled means: a round of probe
   messages, one sent to each queue, is received by exactly the owners that allocation names.
   Two rounds in a row must match. The time this took is printed as `SETTLED <seconds>`; over
   --notify-within it is a failure (the broker's notification did not work).
3. --count messages go round-robin over the queues; every one must be received exactly once
   overall (none twice, by the same or the other consumer), each by the owner of its queue, both
   consumers get some.
4. B shuts down (its offsets committed, UNREGISTER_CLIENT, which makes the broker notify A): A must
   take B's queues over within --notify-within seconds and resume at B's committed offsets:
   --count more messages all reach A, and over the whole run nothing is received twice.
Prints SENT/RECV/SETTLED lines and `OK ...`.
"""
import argparse
import os
import time

from broker_common import (
    await_route, check, emit, check_fields, duplicates, fail, run_main, send_sync, send_to_queue, start_producer,
    start_push_consumer, wait_for, Received,
)


def allocate(index, queue_count, consumer_count):
    """The C++ client's AllocateMQAveragely: the queue indexes consumer `index` owns."""
    mod = queue_count % consumer_count
    if queue_count <= consumer_count:
        size = 1
    elif mod > 0 and index < mod:
        size = queue_count // consumer_count + 1
    else:
        size = queue_count // consumer_count
    start = index * size if (mod > 0 and index < mod) else index * size + mod
    return set(range(start, min(start + size, queue_count)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namesrv", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--notify-within", type=float, default=8,
                        help="seconds the split may take (the client's own rebalance timer fires after 10 s)")
    parser.add_argument("--timeout", type=float, default=15)
    args = parser.parse_args()
    tag = str(os.getpid())
    name_a, name_b = "ca" + tag, "cb" + tag

    producer = start_producer(args.namesrv, args.group + "_PG")
    _, _, queue_count = send_to_queue(producer, args.topic, "warmup" + tag, 0, 0)
    check(queue_count >= 2, f"the topic has {queue_count} queue(s); the split needs two or more")
    await_route(args.namesrv, args.topic)
    owned = {name_a: allocate(0, queue_count, 2), name_b: allocate(1, queue_count, 2)}
    owner_of = {queue: name for name, queues in owned.items() for queue in queues}
    emit(f"QUEUES {queue_count} {name_a}={sorted(owned[name_a])} {name_b}={sorted(owned[name_b])}")

    received = Received()
    consumer_a = start_push_consumer(args.namesrv, args.group, args.topic, received, name_a)
    consumer_b = start_push_consumer(args.namesrv, args.group, args.topic, received, name_b)
    started = time.monotonic()

    # Probe rounds until two in a row were received exactly as the allocation says (the earlier
    # one judged once the later one is in, so that a late receipt by a consumer still pulling a
    # queue it should have given up counts).
    probe_run = "probe" + tag
    rounds = []

    def matches(round_seqs):
        receivers = {}
        for item in received.of_run(probe_run):
            if item["seq"] in round_seqs:
                receivers.setdefault(item["queue"], set()).add(item["consumer"])
        return receivers, all(receivers.get(queue) == {owner_of[queue]} for queue in range(queue_count))

    settled = False
    while not settled and time.monotonic() - started < args.notify_within:
        base = len(rounds) * queue_count
        for queue in range(queue_count):
            send_to_queue(producer, args.topic, probe_run, base + queue, queue)
        rounds.append(set(range(base, base + queue_count)))
        wait_for(lambda: rounds[-1] <= received.distinct(probe_run), 3)
        receivers, latest = matches(rounds[-1])
        emit(f"PROBE round={len(rounds) - 1} receivers={ {q: sorted(names) for q, names in sorted(receivers.items())} }")
        settled = len(rounds) >= 2 and latest and matches(rounds[-2])[1]
    if not settled:
        fail(f"the queues were not split between {name_a} and {name_b} as allocated within {args.notify_within} s "
             f"(did the broker send NOTIFY_CONSUMER_IDS_CHANGED and list both in GET_CONSUMER_LIST_BY_GROUP?)")
    emit(f"SETTLED {time.monotonic() - started:.2f}")

    run = "cl" + tag
    sent = {}
    for seq in range(args.count):
        msg_id, offset, _ = send_to_queue(producer, args.topic, run, seq, seq % queue_count)
        sent[seq] = (msg_id, offset)
        emit(f"SENT {msg_id} {offset} {run}/{seq} queue={seq % queue_count}")
    all_in = wait_for(lambda: len(received.distinct(run)) == args.count, args.timeout)
    items = received.of_run(run)
    check(all_in, f"within {args.timeout} s only {sorted(received.distinct(run))} of 0..{args.count - 1} arrived")
    for item in items:
        check_fields(item, args.topic, run, sent)
        check(item["consumer"] == owner_of[item["queue"]],
              f"{run}/{item['seq']} of queue {item['queue']} went to {item['consumer']}, not its owner {owner_of[item['queue']]}")
    per_consumer = {name: len(received.of_run(run, name)) for name in (name_a, name_b)}
    check(all(per_consumer.values()), f"one consumer got nothing: {per_consumer}")

    # B leaves: A takes over its queues from B's committed offsets.
    consumer_b.shutdown()
    left = time.monotonic()
    run2 = "cl2" + tag
    sent2 = {seq: send_sync(producer, args.topic, run2, seq) for seq in range(args.count)}
    all_in = wait_for(lambda: len(received.distinct(run2)) == args.count, args.timeout)
    took_over = time.monotonic() - left
    emit(f"TAKEOVER {took_over:.2f}")
    consumer_a.shutdown()
    producer.shutdown()
    items2 = received.of_run(run2)
    check(all_in, f"after {name_b} left, within {args.timeout} s only {sorted(received.distinct(run2))} "
                  f"of 0..{args.count - 1} arrived")
    for item in items2:
        check_fields(item, args.topic, run2, sent2)
        check(item["consumer"] == name_a, f"{run2}/{item['seq']} went to {item['consumer']} after it shut down")
    check(took_over < args.notify_within,
          f"{name_a} took {took_over:.1f} s to take {name_b}'s queues over: not on the broker's NOTIFY_CONSUMER_IDS_CHANGED "
          f"after {name_b}'s UNREGISTER_CLIENT but on its own rebalance timer?")
    twice = duplicates(received.of_run(run) + received.of_run(run2))
    check(not twice, f"consumed more than once: {twice}")
    probe_twice = duplicates(received.of_run(probe_run))
    emit(f"OK count={args.count} split={per_consumer} takeover={took_over:.2f}s probe-duplicates={len(probe_twice)}")


if __name__ == "__main__":
    run_main(main)
