"""Orderly consumption: messages sent with send_orderly (queue = hash(arg) % queues) reach orderly
push consumers in send order per queue, one callback at a time per queue, each exactly once; the
broker's LOCK_BATCH_MQ gives a queue to one client at a time (C++ client, our broker).

Phase 1. `--keys` sharding keys × `--per-key` messages, interleaved (key 0 #0, key 1 #0, …), sent
with `send_orderly(message, key)` and the wrapper's hashing selector (key k → queue k % 4). The first
half is sent before orderly consumer A (PushConsumer(orderly=True), 4 threads) starts, the rest while
it consumes. A must get every message once, each key's in send order, each queue's in queue-offset
order. While A runs, a raw LOCK_BATCH_MQ of the topic's queues by another client id of the group must
lock nothing (A holds them).

Phase 2. Orderly consumer B joins the group: the client's averaging allocation gives it half of the
queues, which A must unlock (UNLOCK_BATCH_MQ) and B lock (LOCK_BATCH_MQ) before B consumes them.
Messages of a second run are sent until B has got one, then one more round. Every message of that
run must arrive, each key's in send order in each consumer, and once B has taken a queue A must not
consume from it again. A message is delivered twice only if A consumed it just before the handover and
B gets it again: the C++ core (1.2.x) asks for a new queue's committed offset before it locks the
queue (Java locks first), so B may start from the offset A committed before its last update
(REDELIVERED lines; at-least-once, as RocketMQ promises across a rebalance).

Throughout, two callbacks of one queue (in either consumer) must never run at the same time. After
both shut down, another client can lock the queues they unlocked (the C++ core leaves the first
queue of each broker locked: see `LOCK after shutdown`), and two raw clients see Java's lock rules
(LOCKSEM). Prints SENT, RECV, ORDER <run> <consumer> <key> <seqs>, HANDOVER, REDELIVERED, QUEUE,
LOCK …, LOCKSEM … and `OK …`.
"""
import argparse
import ctypes
import os
import threading
import time

from rocketmq.client import SendStatus

from broker_common import (
    await_route, body_for, check, emit, keys_for, make_message, retry_unrouted, run_main, start_producer, wait_for,
)
from remoting_client import lock_batch, topic_route
from semantics_common import CONSUME_SUCCESS, message_fields, start_raw_push_consumer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namesrv", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--run", default="or%d" % os.getpid())
    parser.add_argument("--keys", type=int, default=3)
    parser.add_argument("--per-key", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=20)
    args = parser.parse_args()
    run, run2 = args.run, args.run + "-b"

    lock = threading.Lock()
    got = []
    busy = {}  # queue → callbacks running on it now (both consumers are in this process)
    overlaps = []

    def consumer_callback(name):
        def on_message(message):
            fields = message_fields(message, time.monotonic())
            fields["consumer"] = name
            queue = fields["queue"]
            with lock:
                busy[queue] = busy.get(queue, 0) + 1
                if busy[queue] > 1:
                    overlaps.append((name, queue, fields["run"], fields["seq"]))
            try:
                emit(f"RECV {name} {fields['id']} {queue} {fields['offset']} {fields['run']} {fields['seq']} "
                     f"key={fields['key']}")
                time.sleep(0.005)  # widen the window in which a second callback of the queue would overlap
                with lock:
                    got.append(fields)
            finally:
                with lock:
                    busy[queue] -= 1
            return CONSUME_SUCCESS
        return on_message

    def of_run(which):
        with lock:
            return [item for item in got if item["run"] == which]

    producer = start_producer(args.namesrv, args.group + "_PG")
    sent = {}  # (run, seq) → (key, n, msg id, queue offset, queue)
    next_seq = {run: 0, run2: 0}

    def send(which):
        seq = next_seq[which]
        next_seq[which] += 1
        key, n = seq % args.keys, seq // args.keys
        message = make_message(args.topic, which, seq)
        message.set_property("shard", str(key))
        chosen = {}

        def select(size, _message, arg):
            chosen["queue"] = ctypes.cast(arg, ctypes.POINTER(ctypes.c_int))[0] % size  # hashing_queue_selector
            return chosen["queue"]

        result = retry_unrouted(lambda: producer.send_orderly(message, key, queue_selector=select), f"{which}/{seq}")
        check(result.status == SendStatus.OK, f"send_orderly {which}/{seq} status {result.status!r}")
        sent[(which, seq)] = (key, n, result.msg_id, result.offset, chosen["queue"])
        emit(f"SENT {result.msg_id} {result.offset} {which}/{seq} key={key} queue={chosen['queue']}")

    total = args.keys * args.per_key
    for _ in range(total // 2):
        send(run)
    await_route(args.namesrv, args.topic)
    broker_name, broker_address, queue_count = topic_route(args.namesrv, args.topic)
    all_queues = [(args.topic, broker_name, q) for q in range(queue_count)]
    consumers = [start_raw_push_consumer(args.namesrv, args.group, args.topic, "A%d" % os.getpid(),
                                         consumer_callback("A"), orderly=True, threads=4)]
    handover = None
    try:
        while next_seq[run] < total:
            send(run)
        phase1 = wait_for(lambda: len({item["seq"] for item in of_run(run)}) == total, args.timeout)
        wait_for(lambda: False, 0.3 if phase1 else 0)  # room for a duplicate to show up
        check(phase1, f"within {args.timeout} s consumer A got {len({i['seq'] for i in of_run(run)})} of {total}")
        # A holds every queue: another client of the group gets none of them.
        held_by_other = lock_batch(broker_address, args.group, "127.0.0.1@intruder%d" % os.getpid(), all_queues)
        emit(f"LOCK while consuming: {held_by_other}")

        # Phase 2: B joins; messages keep coming until B consumes one (the queues changed hands).
        handover = time.monotonic()
        consumers.append(start_raw_push_consumer(args.namesrv, args.group, args.topic, "B%d" % os.getpid(),
                                                 consumer_callback("B"), orderly=True, threads=4))

        def b_consumed():
            return any(item["consumer"] == "B" for item in of_run(run2))

        deadline = time.monotonic() + args.timeout
        while not b_consumed() and time.monotonic() < deadline:
            for _ in range(args.keys):
                send(run2)
            wait_for(b_consumed, 0.2)
        check(b_consumed(), f"consumer B consumed nothing within {args.timeout} s of joining the group")
        emit(f"HANDOVER {time.monotonic() - handover:.3f}")
        for _ in range(args.keys):
            send(run2)
        total2 = next_seq[run2]
        phase2 = wait_for(lambda: len({item["seq"] for item in of_run(run2)}) == total2, args.timeout)
        wait_for(lambda: False, 0.3 if phase2 else 0)
        check(phase2, f"within {args.timeout} s A and B got {len({i['seq'] for i in of_run(run2)})} of {total2} "
                      "messages sent after B joined")
    finally:
        for consumer in consumers:
            consumer.shutdown()
        producer.shutdown()

    check(not overlaps, f"callbacks of one queue ran at the same time (consumer, queue, run, seq): {overlaps[:5]}")
    check(held_by_other == [], f"LOCK_BATCH_MQ by another client id locked {held_by_other} while consumer A held "
                               "the queues (Java's RebalanceLockManager refuses a queue locked by a live client "
                               "within 60 s)")
    b_queues = {item["queue"] for item in of_run(run2) if item["consumer"] == "B"}
    for which in (run, run2):
        items = of_run(which)  # in arrival order (one clock for both consumers)
        sent_seqs = {seq for (r, seq) in sent if r == which}
        check({item["seq"] for item in items} == sent_seqs,
              f"{which}: missing {sorted(sent_seqs - {item['seq'] for item in items})}")
        per_key, per_queue, first_by = {}, {}, {}
        for item in items:
            key, n, msg_id, offset, queue = sent[(which, item["seq"])]
            what = f"orderly {which}/{item['seq']} (consumer {item['consumer']})"
            check(item["key"] == str(key), f"{what}: shard property {item['key']!r}")
            check(item["queue"] == queue and queue == key % queue_count,
                  f"{what}: queue {item['queue']}, sent to {queue}, want hash {key} % {queue_count}")
            check(item["id"] == msg_id and item["offset"] == offset,
                  f"{what}: id {item['id']} offset {item['offset']}, send said {msg_id} {offset}")
            check(item["body"] == body_for(which, item["seq"]).encode() and item["keys"] == keys_for(which, item["seq"]),
                  f"{what}: body/keys")
            if item["seq"] in first_by:
                # At-least-once across a rebalance: B may get again what A consumed just before the
                # handover (the C++ core asks for the queue's committed offset before it has the
                # lock, i.e. possibly before A's last offset update), never anything else twice.
                check(first_by[item["seq"]] == "A" and item["consumer"] == "B" and queue in b_queues,
                      f"{what}: received twice, first by {first_by[item['seq']]}")
                emit(f"REDELIVERED {which}/{item['seq']} queue={queue} offset={offset}")
            first_by.setdefault(item["seq"], item["consumer"])
            per_key.setdefault((item["consumer"], key), []).append(n)
            per_queue.setdefault(item["queue"], []).append((item["offset"], item["consumer"]))
        for (consumer, key), ns in sorted(per_key.items()):
            emit(f"ORDER {which} {consumer} {key} {','.join(map(str, ns))}")
            check(ns == list(range(ns[0], ns[0] + len(ns))),
                  f"{which}: consumer {consumer} got key {key} in the order {ns} (want consecutive, in send order)")
        for queue, seen in sorted(per_queue.items()):
            owners = "".join(consumer for _, consumer in seen)
            check("BA" not in owners, f"{which}: queue {queue} went back from B to A: {owners}")
            for consumer in "AB":
                offsets = [offset for offset, owner in seen if owner == consumer]
                check(offsets == sorted(set(offsets)), f"{which}: {consumer} got queue {queue} offsets as {offsets}")
            if which == run2:
                emit(f"QUEUE {queue} consumers {owners}")
    # Phase 1: A alone got every key exactly in send order.
    for key in range(args.keys):
        got_a = [item for item in of_run(run) if item["consumer"] == "A" and item["key"] == str(key)]
        check([sent[(run, item["seq"])][1] for item in got_a] == list(range(args.per_key)),
              f"{run}: consumer A got key {key} as {[sent[(run, item['seq'])][1] for item in got_a]}")
    check(len(b_queues) == queue_count // 2, f"B consumed queues {sorted(b_queues)}, want half of the {queue_count} "
                                             "(the client's averaging allocation)")

    # After the shutdowns another client gets the queues the consumers unlocked. Their UNLOCK_BATCH_MQ
    # names all their queues but the first of each broker (Rebalance::unlockAll in core 1.2.x creates
    # the broker's list with the first queue and only appends the later ones), so A's and B's first
    # queues stay locked by the departed clients until the 60 s expiry, as a Java broker keeps them.
    after = lock_batch(broker_address, args.group, "127.0.0.1@successor%d" % os.getpid(), all_queues)
    emit(f"LOCK after shutdown: {after}")
    a_queues = sorted(set(range(queue_count)) - b_queues)
    unlocked = set(a_queues[1:]) | set(sorted(b_queues)[1:])
    check(unlocked <= set(after), f"after the orderly consumers shut down (unlocking queues {sorted(unlocked)}), "
                                  f"LOCK_BATCH_MQ by another client locked {after}")

    lock_semantics(broker_address, broker_name, args.topic, args.group + "_RAW", queue_count)
    emit(f"OK received={len(of_run(run))}+{len(of_run(run2))} keys={args.keys} b-queues={sorted(b_queues)} "
         f"unlocked-after-shutdown={after}")


def lock_semantics(broker_address, broker_name, topic, group, queue_count):
    """LOCK_BATCH_MQ / UNLOCK_BATCH_MQ between two raw clients of one group (Java RebalanceLockManager):
    a queue is granted to the client holding it or to anyone if it is free, never to another client
    while it is held; an unlock by a client that does not hold the queue changes nothing."""
    queues = [(topic, broker_name, q) for q in range(queue_count)]
    first, second = "127.0.0.1@first%d" % os.getpid(), "127.0.0.1@second%d" % os.getpid()
    everything = list(range(queue_count))
    steps = [
        ("first locks all", lock_batch(broker_address, group, first, queues), everything),
        ("second locks all", lock_batch(broker_address, group, second, queues), []),
        ("first locks all again", lock_batch(broker_address, group, first, queues), everything),
    ]
    lock_batch(broker_address, group, second, queues[:2], unlock=True)  # not the holder: no effect
    steps.append(("second locks all after its own unlock of 0,1", lock_batch(broker_address, group, second, queues), []))
    lock_batch(broker_address, group, first, queues[:2], unlock=True)
    steps.append(("second locks all after first unlocked 0,1", lock_batch(broker_address, group, second, queues), [0, 1]))
    steps.append(("first locks all", lock_batch(broker_address, group, first, queues), everything[2:]))
    for what, got, want in steps:
        emit(f"LOCKSEM {what}: {got}")
        check(got == want, f"LOCK_BATCH_MQ ({what}) locked {got}, want {want}")


if __name__ == "__main__":
    run_main(main)
