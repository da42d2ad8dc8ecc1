"""Retry and DLQ: a push consumer that answers RECONSUME_LATER sees the message again from its retry
topic with reconsume_times growing, until the retry limit sends it to `%DLQ%<group>` (C++ client,
our broker).

Messages `--seq` (default 0 and 5, whose 100 kB body the producer compresses) are sent to `--topic`;
for each `--group NAME:MAX` a push consumer of group NAME (subscribed to `*`) answers RECONSUME_LATER
every time it gets one. The C++ client (core 1.2.x) sends CONSUMER_SEND_MSG_BACK with delayLevel 0 and
no maxReconsumeTimes, so the broker picks level 3 + reconsumeTimes and the group's retryMaxTimes (16
unless the subscription group says otherwise): MAX is that limit. The group must see each message
exactly MAX + 1 times, intact: first from the topic (reconsume_times 0), then from `%RETRY%NAME`
(queue 0, growing offsets; the client puts the original topic back from the RETRY_TOPIC property)
with reconsume_times 1 … MAX, the same msg id, an ORIGIN_MESSAGE_ID, DELAY 3 + reconsume times, and
at least the level's delay (`--level-seconds`; the broker runs with `messageDelayLevel` all 1 s)
between two deliveries. After the last RECONSUME_LATER the message must be in `%DLQ%NAME` (routable
at the name server at once; a PullConsumer reads it from offset 0: intact, reconsume_times MAX + 1)
and never come back to the consumer.
Before that, a first consumer of each group starts and stops (see below), so that %RETRY%NAME exists.
Prints ROUTE, DELIVERY, DLQ, PULLED and `OK …`.
"""
import argparse
import os
import threading
import time

from broker_common import (
    await_route, body_for, check, emit, keys_for, pull_all, route_known, run_main, send_sync, start_producer,
    tags_for, wait_for,
)
from remoting_client import consumer_ids, topic_route
from semantics_common import (
    CONSUME_SUCCESS, RECONSUME_LATER, await_route_quietly, message_fields, start_raw_push_consumer,
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namesrv", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", action="append", required=True, help="NAME:MAX (the group's retry limit)")
    parser.add_argument("--run", default="rt%d" % os.getpid())
    parser.add_argument("--seq", type=int, action="append", help="messages to send (default 0 and 5, the 100 kB "
                                                                 "body the producer compresses)")
    parser.add_argument("--level-seconds", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=40)
    parser.add_argument("--route-seconds", type=float, default=3, help="how soon a new DLQ must be routable")
    args = parser.parse_args()
    run = args.run
    groups = [(spec.split(":")[0], int(spec.split(":")[1])) for spec in args.group]
    seqs = args.seq or [0, 5]

    lock = threading.Lock()
    deliveries = {name: [] for name, _ in groups}
    started = time.monotonic()  # reset at the send

    def consumer_for(name):
        def on_message(message):
            fields = message_fields(message, time.monotonic())
            if fields["run"] != run:
                return CONSUME_SUCCESS
            with lock:
                deliveries[name].append(fields)
                n = len(deliveries[name])
            emit(f"DELIVERY {name} {run}/{fields['seq']} {n} {fields['reconsume']} {fields['queue']} "
                 f"{fields['offset']} {fields['at'] - started:.3f} {fields['retry_topic']}")
            return RECONSUME_LATER
        return on_message

    producer = start_producer(args.namesrv, groups[0][0] + "_PG")
    # The topic exists before the consumers start (a warm-up message creates it), and so does each
    # group's retry topic: the broker creates %RETRY%<group> on the group's first HEART_BEAT, but the
    # C++ consumer looks its route up before that heartbeat and then only rebalances every 10 s. So a
    # first consumer of each group starts (its heartbeat creates the retry topic), the name server
    # routes %RETRY%<group>, and it shuts down: as if the group had been used before.
    send_sync(producer, args.topic, "warm-" + run, 0)
    await_route(args.namesrv, args.topic)
    _, broker_address, _ = topic_route(args.namesrv, args.topic)
    for name, _ in groups:
        earlier = start_raw_push_consumer(args.namesrv, name, args.topic, "earlier-%s-%d" % (name, os.getpid()),
                                          lambda message: CONSUME_SUCCESS)
        routed = await_route_quietly(args.namesrv, "%RETRY%" + name, 10)
        earlier.shutdown()
        check(routed is not None, f"no route for %RETRY%{name} within 10 s of the group's first consumer starting")
        emit(f"ROUTE %RETRY%{name} {routed:.3f}")
        # Gone from the group (UNREGISTER_CLIENT) before the real consumer joins: otherwise the real
        # one's first rebalance could still give the retry queue to the departed client.
        check(wait_for(lambda: not consumer_ids(broker_address, name), 10),
              f"the broker still lists {consumer_ids(broker_address, name)} in {name} 10 s after its consumer shut down")
    consumers = []
    dlq_routes = {}
    try:
        for name, _ in groups:
            consumers.append(start_raw_push_consumer(args.namesrv, name, args.topic, "retry-%s-%d" % (name, os.getpid()),
                                                     consumer_for(name)))
        msg_ids = {seq: send_sync(producer, args.topic, run, seq)[0] for seq in seqs}
        started = sent_at = time.monotonic()

        def of(name, seq=None):
            with lock:
                return [item for item in deliveries[name] if seq is None or item["seq"] == seq]

        # Every group sees each message MAX + 1 times; the last RECONSUME_LATER sends it to the DLQ,
        # which the broker creates then and (as Java's createTopicInSendMessageBackMethod does)
        # registers with the name server at once: its route is timed from the first message's last
        # delivery.
        def progress():
            for name, limit in groups:
                finished = [of(name, seq)[limit]["at"] for seq in seqs if len(of(name, seq)) > limit]
                if name not in dlq_routes and finished and route_known(args.namesrv, "%DLQ%" + name):
                    dlq_routes[name] = time.monotonic() - min(finished)
            return len(dlq_routes) == len(groups) and all(
                len(of(name, seq)) >= limit + 1 for name, limit in groups for seq in seqs)

        done = wait_for(progress, args.timeout)
        check(done, "within %.0f s: %s" % (args.timeout, ", ".join(
            f"{name} got {[len(of(name, seq)) for seq in seqs]} deliveries of {run}/{seqs} (want {limit + 1} each), "
            f"%DLQ%{name} {'routed' if name in dlq_routes else 'not routed'}" for name, limit in groups)))
        # A further delivery would come one level delay after the last: look a little longer.
        wait_for(lambda: False, args.level_seconds * 2 + 0.5)
    finally:
        for consumer in consumers:
            consumer.shutdown()
        producer.shutdown()

    for name, limit in groups:
        retry_offsets = []
        for seq in seqs:
            got = of(name, seq)
            check(len(got) == limit + 1, f"{name}: got {run}/{seq} {len(got)} times, want exactly {limit + 1} "
                                         f"(once + {limit} retries, then the DLQ)")
            first = got[0]
            check(first["reconsume"] == 0 and first["retry_topic"] is None and 0 <= first["queue"] < 4,
                  f"{name}: first delivery of {run}/{seq}: {first}")
            for n, item in enumerate(got):
                what = f"{name} delivery {n + 1} of {run}/{seq}"
                check(item["reconsume"] == n, f"{what}: reconsume_times {item['reconsume']}, want {n}")
                check(item["id"] == msg_ids[seq], f"{what}: msg id {item['id']}, want {msg_ids[seq]}")
                check(item["topic"] == args.topic, f"{what}: topic {item['topic']!r}")
                check(item["body"] == body_for(run, seq).encode(), f"{what}: body of {len(item['body'])} bytes "
                                                                    f"{item['body'][:60]!r}")
                check(item["keys"] == keys_for(run, seq) and item["tags"] == tags_for(seq), f"{what}: keys/tags")
                check(item["note"] == "user property \u00fc=1 b", f"{what}: property note {item['note']!r}")
                if n == 0:
                    continue
                # From the retry topic's one queue (the client puts the topic back from RETRY_TOPIC).
                check(item["retry_topic"] == args.topic, f"{what}: RETRY_TOPIC {item['retry_topic']!r}")
                check(item["queue"] == 0 and (n == 1 or item["offset"] > got[n - 1]["offset"]),
                      f"{what}: queue {item['queue']} offset {item['offset']} (previous {got[n - 1]['offset']})")
                retry_offsets.append(item["offset"])
                check(item["origin_id"] and item["origin_id"] == got[1]["origin_id"],
                      f"{what}: ORIGIN_MESSAGE_ID {item['origin_id']!r} (first retry's {got[1]['origin_id']!r})")
                check(item["delay"] == str(2 + n), f"{what}: DELAY {item['delay']!r}, want {2 + n} (3 + reconsume times)")
                gap = item["at"] - got[n - 1]["at"]
                check(gap >= args.level_seconds - 0.2, f"{what}: {gap:.3f} s after the previous delivery, "
                                                      f"less than the level's {args.level_seconds} s")
        check(sorted(retry_offsets) == list(range(limit * len(seqs))),
              f"{name}: %RETRY%{name} queue 0 offsets {sorted(retry_offsets)}, want 0..{limit * len(seqs) - 1} once each")

        emit(f"ROUTE %DLQ%{name} {dlq_routes[name]:.3f}")
        check(dlq_routes[name] <= args.route_seconds,
              f"{name}: the name server routed %DLQ%{name} only {dlq_routes[name]:.1f} s after the last "
              "RECONSUME_LATER (Java's createTopicInSendMessageBackMethod registers a new topic at once)")
        pulled = pull_all(args.namesrv, name + "_DLQREADER", "%DLQ%" + name)
        check(sorted(item["seq"] for item in pulled) == sorted(seqs),
              f"{name}: %DLQ%{name} holds {[(item['run'], item['seq']) for item in pulled]}, want {run}/{seqs}")
        for dead in pulled:
            seq = dead["seq"]
            emit(f"DLQ {name} {dead['id']} {dead['queue']} {dead['offset']} {run}/{seq} reconsume={dead['reconsume']}")
            what = f"{name}: DLQ message {run}/{seq}"
            check(dead["run"] == run and dead["id"] == msg_ids[seq], f"{what}: {dead['run']} {dead['id']}")
            check(dead["body"] == body_for(run, seq).encode(), f"{what}: body {dead['body'][:60]!r}")
            check(dead["keys"] == keys_for(run, seq) and dead["tags"] == tags_for(seq), f"{what}: keys/tags")
            check(dead["reconsume"] == limit + 1, f"{what}: reconsume_times {dead['reconsume']}, want {limit + 1}")
            check(dead["topic"] == "%DLQ%" + name, f"{what}: topic {dead['topic']!r}")
    emit("OK " + " ".join(f"{name}={len(deliveries[name])}" for name, _ in groups)
         + f" total={time.monotonic() - sent_at:.1f}s")


if __name__ == "__main__":
    run_main(main)
