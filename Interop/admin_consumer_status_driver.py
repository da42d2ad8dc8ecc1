"""`rocketmq admin consumerStatus` against a live C++ push consumer.

Sends --count messages to --topic, starts a push consumer of --group and waits until it has them
all, then, while it runs, calls the admin binary (--admin, in --workdir, where consumerStatus writes
its running-info files): `consumerStatus -g GROUP` (lines STATUS ..., STATUSRC <status>), then
`consumerStatus -g GROUP -i <its client id>` until the consumer's commit offsets on --topic add up to
--count (the C++ client updates them just after the callback returns): lines DETAIL ..., DETAILRC;
the same with --json (the client's answer as decoded): RAW ..., RAWRC; and `-i` with a client id that is
not connected: BADCLIENT ..., BADCLIENTRC. Prints `OK ...` last.
"""
import argparse
import os
import subprocess
import time

from broker_common import (
    await_route, check, emit, run_main, send_batch, start_producer, start_push_consumer, wait_for, Received,
)


def admin(args, arguments):
    completed = subprocess.run([args.admin, "admin", arguments[0], "-n", args.namesrv] + arguments[1:], cwd=args.workdir,
                               capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    return completed.returncode, completed.stdout, completed.stderr


def emit_run(prefix, result):
    status, out, err = result
    for line in out.split("\n"):
        emit(f"{prefix} {line}")
    for line in err.split("\n"):
        if line:
            emit(f"{prefix}ERR {line}")
    emit(f"{prefix}RC {status}")


def commit_total(out, topic):
    """The sum of the #Consumer Offset rows of `topic` in a running-info print."""
    total, section = 0, False
    for line in out.split("\n"):
        if line.startswith("#Consumer "):
            section = line == "#Consumer Offset#"
            continue
        columns = line.split()
        if section and len(columns) == 4 and columns[0] == topic:
            total += int(columns[3])
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namesrv", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--run", required=True)
    parser.add_argument("--count", type=int, default=4)
    parser.add_argument("--admin", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--timeout", type=float, default=15)
    args = parser.parse_args()

    producer = start_producer(args.namesrv, args.group + "_PG")
    send_batch(producer, args.topic, args.run, args.count)
    producer.shutdown()
    await_route(args.namesrv, args.topic)
    received = Received()
    consumer = start_push_consumer(args.namesrv, args.group, args.topic, received, f"cs-{os.getpid()}")
    try:
        check(wait_for(lambda: len(received.distinct(args.run)) == args.count, args.timeout),
              f"the consumer got {sorted(received.distinct(args.run))} of 0..{args.count - 1}")

        table = admin(args, ["consumerStatus", "-g", args.group])
        emit_run("STATUS", table)
        rows = [line.split() for line in table[1].split("\n")[1:] if line[:1].isdigit()]
        check(len(rows) == 1, f"one consumer row expected in {table[1]!r} {table[2]!r}")
        client_id = rows[0][1]
        emit(f"CLIENTID {client_id}")

        detail = None
        def settled():
            nonlocal detail
            detail = admin(args, ["consumerStatus", "-g", args.group, "-i", client_id])
            return detail[0] == 0 and commit_total(detail[1], args.topic) == args.count
        wait_for(settled, args.timeout, interval=0.2)
        emit_run("DETAIL", detail)

        emit_run("RAW", admin(args, ["consumerStatus", "-g", args.group, "-i", client_id, "--json"]))
        emit_run("BADCLIENT", admin(args, ["consumerStatus", "-g", args.group, "-i", "127.0.0.1@nobody"]))
    finally:
        consumer.shutdown()
    emit(f"OK consumerStatus client={client_id}")


if __name__ == "__main__":
    run_main(main)
