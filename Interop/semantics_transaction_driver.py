"""Transactions: half messages, END_TRANSACTION and the broker's check-back, seen by a C++ push consumer.

The PyPI client has no transaction producer, so `remoting_client.TransactionProducer` speaks for a
Java TransactionMQProducer (frames as in Fixtures/08-transaction): HEART_BEAT with the producer group,
SEND_MESSAGE_V2 half messages (sysFlag 4, TRAN_MSG=true, PGROUP), oneway END_TRANSACTION
(commitOrRollback 8 commit, 12 rollback, 0 unknown) and a oneway END_TRANSACTION
(fromTransactionCheck=true) for each oneway CHECK_TRANSACTION_STATE. The broker runs with short
`transactionCheckInterval` (= `--check-interval`) / `transactionTimeOut` and `transactionCheckMax` =
`--check-max`. An answer must reach the broker before its next check pass, or that pass checks the
message again (Java's check service works the same way), so the interval should leave a loaded
machine time to answer: 2 s rather than 1.

Eight half messages, one per case (seq: what the producer does):
    0 commit                     END 8           → consumed once, never checked
    1 rollback                   END 12          → never consumed, never checked
    2 unknown, check → commit    END 0, check 8  → checked once, consumed once, only after the answer
    3 unknown, check → rollback  END 0, check 12 → checked once, never consumed
    4 unknown, unknown, commit   END 0, check 0, check 8 → checked twice, consumed once after the 2nd answer
    5 no END, never answered     → checked exactly --check-max times, then dropped: never consumed
    6 commit, wrong group        END 8 naming another producerGroup (Java: "The producer group wrong",
                                 nothing ended), check 12 → checked once, never consumed
    7 commit, wrong offset       END 8 with a wrong tranStateTableOffset (Java: "The transaction state
                                 table offset wrong"), check 8 → checked once, consumed once after it
Every CHECK_TRANSACTION_STATE must carry the half message as it will be committed (real topic and
queue, body, properties, TRANSACTION_CHECK_TIMES = which check this is) and header fields that agree
with it (msgId = UNIQ_KEY, commitLogOffset, offsetMsgId, tranStateTableOffset). A push consumer
(started on a warm-up message first) must get exactly 0, 2, 4 and 7, intact, with the UNIQ_KEY as
msg id.
Half message 5, dropped, must then be in TRANS_CHECK_MAX_TIME_TOPIC (read with a raw PULL_MESSAGE);
whether the name server routes that topic, which the broker creates then (Java registers it at
once), is printed as `ROUTE TRANS_CHECK_MAX_TIME_TOPIC <seconds after the message was found there |
none> …` for the test to judge. Prints HALF, CHECK, RECV, PARKED, ROUTE and `OK …`.
"""
import argparse
import os
import threading
import time

from broker_common import (
    await_route, body_for, check, emit, keys_for, run_main, send_sync, start_producer, tags_for, wait_for,
)
from remoting_client import TransactionProducer, commit_log_offset, pull, topic_route
from semantics_common import CONSUME_SUCCESS, await_warm_up, await_route_quietly, message_fields, start_raw_push_consumer

COMMIT, ROLLBACK, UNKNOWN = 8, 12, 0
CHECK_MAX_TIME_TOPIC = "TRANS_CHECK_MAX_TIME_TOPIC"
# seq → (END_TRANSACTION after the send (None: none), answers to the checks in order (None: no answer),
#        END_TRANSACTION header fields replaced)
CASES = {
    0: (COMMIT, [], {}),
    1: (ROLLBACK, [], {}),
    2: (UNKNOWN, [COMMIT], {}),
    3: (UNKNOWN, [ROLLBACK], {}),
    4: (UNKNOWN, [UNKNOWN, COMMIT], {}),
    5: (None, None, {}),
    6: (COMMIT, [ROLLBACK], {"producerGroup": "InteropNotTheProducerGroup"}),
    7: (COMMIT, [COMMIT], {"tranStateTableOffset": "999999"}),
}
CONSUMED = {0, 2, 4, 7}
CHECKS = {0: 0, 1: 0, 2: 1, 3: 1, 4: 2, 6: 1, 7: 1}  # and 5: --check-max


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namesrv", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True, help="consumer group; the producer group is <group>_TXPG")
    parser.add_argument("--run", default="tx%d" % os.getpid())
    parser.add_argument("--check-max", type=int, default=3)
    parser.add_argument("--check-interval", type=float, default=2.0, help="transactionCheckInterval (s)")
    parser.add_argument("--timeout", type=float, default=25)
    args = parser.parse_args()
    run = args.run
    producer_group = args.group + "_TXPG"

    lock = threading.Lock()
    started = time.monotonic()
    got = []
    checks = {seq: [] for seq in CASES}  # seq → [(monotonic, message, header, answer)]
    answered = {}  # seq → monotonic time of the committing answer
    problems = []
    uniq_of = {}  # UNIQ_KEY → seq

    def on_message(message):
        fields = message_fields(message, time.monotonic())
        with lock:
            got.append(fields)
        emit(f"RECV tx {fields['id']} {fields['queue']} {fields['offset']} {fields['run']} {fields['seq']} "
             f"at={fields['at'] - started:.3f}")
        return CONSUME_SUCCESS

    def on_check(message, header):
        now = time.monotonic()
        props = message["properties"]
        with lock:
            seq = uniq_of.get(props.get("UNIQ_KEY"))
        if seq is None:
            problems.append(f"CHECK_TRANSACTION_STATE for an unknown message {props}")
            return None
        with lock:
            n = len(checks[seq]) + 1
        answers = CASES[seq][1]
        answer = answers[n - 1] if answers and n <= len(answers) else None
        with lock:
            checks[seq].append((now, message, header, answer))
            if answer == COMMIT:
                answered[seq] = time.monotonic()
        emit(f"CHECK {run}/{seq} {n} {answer if answer is not None else 'none'} "
             f"times={props.get('TRANSACTION_CHECK_TIMES')} offset={header.get('extFields', {}).get('tranStateTableOffset')} "
             f"at={now - started:.3f}")
        return answer

    plain = start_producer(args.namesrv, args.group + "_PG")
    warm = "warm-" + run
    send_sync(plain, args.topic, warm, 0)
    await_route(args.namesrv, args.topic)
    broker_name, broker_address, queue_count = topic_route(args.namesrv, args.topic)
    consumer = start_raw_push_consumer(args.namesrv, args.group, args.topic, "tx%d" % os.getpid(), on_message)
    tx = TransactionProducer(broker_address, broker_name, producer_group, on_check)
    halves = {}
    try:
        await_warm_up(got, lock, warm)
        tx.heartbeat()
        for seq in CASES:
            body_for(run, seq)  # made (and cached) before the sends, which should follow each other closely
        for seq, (end, _, tampered) in CASES.items():
            queue = seq % queue_count
            user = {"run": run, "seq": str(seq), "note": "user property \u00fc=1 b"}
            uniq, response = tx.send_half(args.topic, queue, body_for(run, seq).encode(), tags_for(seq),
                                          keys_for(run, seq), user)
            check(response["code"] == 0, f"half message {run}/{seq}: SEND_MESSAGE_V2 answered {response['code']} "
                                         f"{response.get('remark')}")
            fields = response.get("extFields", {})
            with lock:
                uniq_of[uniq] = seq
            halves[seq] = (uniq, queue, fields)
            emit(f"HALF {uniq} {run}/{seq} queue={fields.get('queueId')} queueOffset={fields.get('queueOffset')} "
                 f"offsetMsgId={fields.get('msgId')}")
            if end is not None:
                tx.end_transaction(uniq, response, end, **tampered)

        def settled():
            with lock:
                counts = {seq: len(found) for seq, found in checks.items()}
                delivered = {item["seq"] for item in got if item["run"] == run}
            return (all(counts[seq] >= want for seq, want in CHECKS.items()) and counts[5] >= args.check_max
                    and CONSUMED <= delivered)

        done = wait_for(settled, args.timeout)
        # A further check (there must be none) would come on the next pass, within one check interval;
        # so would a late or duplicate delivery.
        wait_for(lambda: False, args.check_interval + 0.5)
    finally:
        consumer.shutdown()
        tx.close()
        plain.shutdown()

    with lock:
        items = [item for item in got if item["run"] == run]
        counts = {seq: len(found) for seq, found in checks.items()}
    check(not problems, "; ".join(problems))
    delivered = sorted(item["seq"] for item in items)
    want_checks = {**CHECKS, 5: args.check_max}
    check(done, f"within {args.timeout} s: checks per case {counts} (want {want_checks}), "
                f"consumed {delivered} (want {sorted(CONSUMED)})")
    check(delivered == sorted(CONSUMED), f"the consumer got {delivered}, want exactly {sorted(CONSUMED)} once each "
                                         "(never the rolled-back, the unresolved or the dropped ones)")
    check(counts == want_checks, f"CHECK_TRANSACTION_STATE per case {counts}, want {want_checks}")

    for seq, found in checks.items():
        uniq, queue, fields = halves[seq]
        for n, (_, message, header, _) in enumerate(found, start=1):
            what = f"check {n} of {run}/{seq}"
            ext = header.get("extFields", {})
            props = message["properties"]
            check(header.get("flag", 0) & 2, f"{what}: not oneway (flag {header.get('flag')})")
            check(message["topic"] == args.topic and message["queueId"] == queue,
                  f"{what}: body names {message['topic']}/{message['queueId']}, want the real {args.topic}/{queue}")
            check(message["body"] == body_for(run, seq).encode(), f"{what}: body {message['body'][:60]!r}")
            check(props.get("TRAN_MSG") == "true" and props.get("PGROUP") == producer_group,
                  f"{what}: TRAN_MSG/PGROUP {props}")
            check(props.get("run") == run and props.get("seq") == str(seq) and props.get("KEYS") == keys_for(run, seq),
                  f"{what}: properties {props}")
            check(props.get("TRANSACTION_CHECK_TIMES") == str(n), f"{what}: TRANSACTION_CHECK_TIMES "
                                                                  f"{props.get('TRANSACTION_CHECK_TIMES')!r}, want {n}")
            check(ext.get("msgId") == uniq and ext.get("transactionId") == uniq,
                  f"{what}: msgId/transactionId {ext.get('msgId')}/{ext.get('transactionId')}, want {uniq}")
            check(ext.get("commitLogOffset") == str(message["physicOffset"])
                  and ext.get("offsetMsgId") == message["offsetMsgId"]
                  and ext.get("tranStateTableOffset") == str(message["queueOffset"]),
                  f"{what}: header {ext} disagrees with its message (physicOffset {message['physicOffset']}, "
                  f"offsetMsgId {message['offsetMsgId']}, queueOffset {message['queueOffset']})")
            check(commit_log_offset(message["offsetMsgId"]) == message["physicOffset"], f"{what}: offsetMsgId")

    for item in items:
        seq = item["seq"]
        uniq, queue, _ = halves[seq]
        what = f"committed {run}/{seq}"
        check(item["topic"] == args.topic and item["queue"] == queue, f"{what}: {item['topic']}/{item['queue']}")
        check(item["id"] == uniq, f"{what}: msg id {item['id']}, want the UNIQ_KEY {uniq}")
        check(item["body"] == body_for(run, seq).encode(), f"{what}: body {item['body'][:60]!r}")
        check(item["keys"] == keys_for(run, seq) and item["tags"] == tags_for(seq), f"{what}: keys/tags")
        check(item["note"] == "user property \u00fc=1 b", f"{what}: note {item['note']!r}")
        check(item["reconsume"] == 0, f"{what}: reconsume_times {item['reconsume']}")
        check(item["tran_msg"] == "true" and item["pgroup"] == producer_group and item["real_qid"] == str(queue),
              f"{what}: TRAN_MSG/PGROUP/REAL_QID {item['tran_msg']!r}/{item['pgroup']!r}/{item['real_qid']!r} "
              "(Java delivers the committed message with the half message's properties)")
        if seq in answered:
            check(item["at"] > answered[seq], f"{what}: consumed {answered[seq] - item['at']:.3f} s before the "
                                              "check-back that committed it was answered")
    # Checked --check-max times, half message 5 is dropped on the next pass: Java's
    # resolveDiscardMsg keeps it in TRANS_CHECK_MAX_TIME_TOPIC (created then, read-write, one queue)
    # and createTopicOfTranCheckMaxTime registers that new topic with the name server at once.
    parked = {}

    def parked_found():
        parked["code"], messages = pull(broker_address, args.group + "_PARKED", CHECK_MAX_TIME_TOPIC, 0)
        parked["mine"] = [m for m in messages if m["properties"].get("run") == run]
        return bool(parked["mine"])

    wait_for(parked_found, 2 * args.check_interval + 2, interval=0.2)
    parked_seen = time.monotonic()
    code, mine = parked["code"], parked["mine"]
    for message in mine:
        emit(f"PARKED {run}/{message['properties'].get('seq')} {message['topic']} {message['queueId']} "
             f"{message['queueOffset']} checks={message['properties'].get('TRANSACTION_CHECK_TIMES')}")
    check(code == 0 and [m["properties"].get("seq") for m in mine] == ["5"],
          f"{CHECK_MAX_TIME_TOPIC} queue 0 (PULL_MESSAGE answered {code}) holds {[m['properties'] for m in mine]}, "
          f"want just {run}/5, dropped after {args.check_max} checks")
    parked_message = mine[0]
    check(parked_message["body"] == body_for(run, 5).encode()
          and parked_message["properties"].get("UNIQ_KEY") == halves[5][0]
          and parked_message["properties"].get("TRANSACTION_CHECK_TIMES") == str(args.check_max),
          f"the parked message {parked_message['properties']}")
    # Reported, not checked here, so that the test tells this registration apart from the rest: Java
    # registers the topic (oneway) before it stores the message, so it is routable once the message is
    # there; our first periodic registration (30 s) comes after this driver has finished.
    routed = await_route_quietly(args.namesrv, CHECK_MAX_TIME_TOPIC, 2)
    emit(f"ROUTE {CHECK_MAX_TIME_TOPIC} " + (f"{time.monotonic() - parked_seen:.3f}" if routed is not None else "none")
         + f" s after {run}/5 was found parked there")
    emit(f"OK consumed={delivered} checks={counts}")


if __name__ == "__main__":
    run_main(main)
