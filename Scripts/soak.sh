#!/usr/bin/env bash
# Soak: one release `rocketmq dev` under repeated client churn, watching what a leak would grow. Each cycle
# the Swift bench producer sends a bounded batch, a Swift bench consumer of one group (restarted each cycle,
# so it rebalances and resumes from its committed offsets) consumes exactly that batch (and the producer's
# warm-up message: it sends one before its clock starts), and the PyPI client (the C++ core) runs
# Interop/broker_send_consume_driver.py against a topic of its own (a producer, two push consumers, their
# heartbeats and unregistrations). After each cycle the broker's anonymous memory (RssAnon: heap and stacks,
# not the mapped store files), open descriptors other than store files, threads and client connections are
# printed; at the end the growth from the first cycle to the last. Loopback only; stops what it starts.
# Usage: [ROCKETMQ_BIN=…] Scripts/soak.sh [cycles=30] [messages-per-cycle=100000]
# (needs the .venv that .ci/run makes, for the PyPI client)
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/lib.sh
cycles=${1:-30}
count=${2:-100000}
bin=${ROCKETMQ_BIN:-.build/release/rocketmq}
require_binary "$bin"
[ -x .venv/bin/python ] || { echo "no .venv: python3 -m venv .venv && .venv/bin/pip install rocketmq==0.4.4" >&2; exit 1; }
work=$(mktemp -d /tmp/soak-XXXXXX)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

namesrv=$(free_port)
broker=$(broker_port)
"$bin" dev --store "$work/store" --namesrv-port "$namesrv" --broker-port "$broker" --no-http --metrics-port=-1 \
    > "$work/server.out" 2>&1 &
server=$!
wait_for "$work/server.out" "boot success"

status_kb() { awk -v key="$1:" '$1 == key {print $2}' "/proc/$server/status"; }
connections() { ss -Htn state established "( sport = :$broker )" | wc -l; }
# Descriptors other than the store's mapped files (each new topic's queues open files of their own).
other_fds() { find "/proc/$server/fd" -mindepth 1 -printf '%l\n' | grep -vc "^$work/store/" || true; }
sample() { echo "$(( $(status_kb RssAnon) / 1024 )) $(other_fds) $(status_kb Threads) $(connections)"; }

printf '%-6s %9s %9s %7s %12s %5s %8s %6s\n' cycle sent consumed pypi "RssAnon MB" "fds*" threads conns
first="" last=""
for cycle in $(seq 1 "$cycles"); do
    sent=$("$bin" bench producer -n "127.0.0.1:$namesrv" --topic SoakTopic --count "$count" --duration 120 \
        --threads 16 --json 2> "$work/producer.err" | tail -n 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["messages"])')
    consumed=$("$bin" bench consumer -n "127.0.0.1:$namesrv" --topic SoakTopic --group SoakGroup --count "$((sent + 1))" \
        --duration 120 --json 2> "$work/consumer.err" | tail -n 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["messages"])')
    if (cd Interop && ../.venv/bin/python broker_send_consume_driver.py --namesrv "127.0.0.1:$namesrv" \
        --topic "SoakPy$cycle" --group SoakPy --run "soak$cycle" > "$work/pypi.out" 2>&1); then pypi=OK; else pypi=FAIL; fi
    now=$(sample)
    [ -z "$first" ] && first=$now
    last=$now
    read -r anon fds threads conns <<< "$now"
    printf '%-6s %9s %9s %7s %12s %5s %8s %6s\n' "$cycle" "$sent" "$consumed" "$pypi" "$anon" "$fds" "$threads" "$conns"
    if [ "$pypi" = FAIL ] || [ "$consumed" != "$((sent + 1))" ]; then
        tail -n 5 "$work/pypi.out" "$work/producer.err" "$work/consumer.err"
        exit 1
    fi
done
read -r anon1 fds1 threads1 _ <<< "$first"
read -r anon2 fds2 threads2 _ <<< "$last"
echo "growth from cycle 1 to $cycles: RssAnon $anon1 → $anon2 MB, fds $fds1 → $fds2, threads $threads1 → $threads2"
echo "(fds*: open descriptors other than the store's files; conns: client connections to the broker port)"
