"""Sends --count messages of run --run with send_sync (C++ client) and nothing else: what the metrics
and dashboard test counts as sent. Prints SENT lines and `OK ...`."""
import argparse

from broker_common import await_route, emit, run_main, send_batch, start_producer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namesrv", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True, help="producer group")
    parser.add_argument("--run", required=True)
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args()
    producer = start_producer(args.namesrv, args.group)
    send_batch(producer, args.topic, args.run, args.count)
    producer.shutdown()
    await_route(args.namesrv, args.topic)
    emit(f"OK sent {args.count}")


if __name__ == "__main__":
    run_main(main)
