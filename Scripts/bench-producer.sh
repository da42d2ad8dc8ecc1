#!/usr/bin/env bash
# Issue 8's end-to-end figures on one machine: sync sends (64 senders, 128-byte bodies, JSON headers) to a
# release `rocketmq dev` (ASYNC_FLUSH; BenchmarkTest has 1,024 queues, as in Java) and to `rocketmq bench
# null-broker`, interleaved round by round so that both see the same moments of a shared machine; then the
# drain of a backlog. Prints every run (msg/s, p50/p99 in µs, CPU per message of the client and the server),
# the dev / null-broker ratio of each round and of the medians. Loopback only; stops what it starts.
# Usage: [ROCKETMQ_BIN=…] [NICE=-15] Scripts/bench-producer.sh [rounds=3] [seconds=10] [drain-count=1000000]
# (NICE needs root; BENCH_ARGS="--serialize rocketmq" for ROCKETMQ headers; drain-count 0 skips the drain.)
# FULL_PAGE_CACHE=1: the page cache filled before each server start (Scripts/lib.sh `fill_page_cache`).
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/lib.sh
rounds=${1:-3}
seconds=${2:-10}
drain=${3:-1000000}
bin=${ROCKETMQ_BIN:-.build/release/rocketmq}
require_binary "$bin"
run=(nice -n "${NICE:-0}" "$bin")
read -r -a bench_args <<< "${BENCH_ARGS:-}"
work=$(mktemp -d /tmp/bench-producer-XXXXXX)
ticks=$(getconf CLK_TCK)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Starts `rocketmq dev` on a fresh store; sets server and namesrv.
start_dev() {
    rm -rf "$work/store"
    fill_page_cache "$work"
    namesrv=$(free_port)
    local broker
    broker=$(broker_port)
    "${run[@]}" dev --store "$work/store" --namesrv-port "$namesrv" --broker-port "$broker" --no-http \
        --metrics-port=-1 > "$work/server.out" 2>&1 &
    server=$!
    wait_for "$work/server.out" "boot success" || exit 1
}

start_null() {
    fill_page_cache "$work"
    namesrv=$(free_port)
    "${run[@]}" bench null-broker --port "$namesrv" > "$work/server.out" 2>&1 &
    server=$!
    wait_for "$work/server.out" "listening" || exit 1
}

stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }

# Runs the producer against the running server; prints "rate p50 p99 clientµs serverµs".
produce() {
    local before after rate count
    before=$(cpu_ticks "$server")
    { TIMEFORMAT='%U %S'; time "${run[@]}" bench producer -n "127.0.0.1:$namesrv" --duration "$seconds" --threads 64 \
        "${bench_args[@]}" "$@" > "$work/bench.out" 2>&1; } 2> "$work/time.out"
    after=$(cpu_ticks "$server")
    rate=$(grep -o "= [0-9]* msg/s" "$work/bench.out" | grep -o "[0-9]*")
    count=$(grep -o "[0-9]* messages" "$work/bench.out" | grep -o "[0-9]*")
    read -r user system < "$work/time.out"
    awk -v rate="$rate" -v count="$count" -v user="$user" -v sys="$system" -v server=$((after - before)) \
        -v ticks="$ticks" -v p50="$(sed -n 's/^latency.* p50 \([0-9]*\).*/\1/p' "$work/bench.out")" \
        -v p99="$(sed -n 's/^latency.* p99 \([0-9]*\).*/\1/p' "$work/bench.out")" \
        'BEGIN { printf "%d %d %d %.1f %.1f\n", rate, p50, p99, (user + sys) * 1e6 / count, server * 1e6 / ticks / count }'
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

if [ "$rounds" -gt 0 ]; then
    echo "== sync sends, 64 senders, 128-byte bodies, ${seconds}s per run, $rounds interleaved rounds ${BENCH_ARGS:-}"
    echo "run            msg/s   p50µs  p99µs  client µs/msg  server µs/msg"
    dev_rates=(); null_rates=()
    for round in $(seq "$rounds"); do
        start_dev; read -r rate p50 p99 client cpu <<< "$(produce)"; stop_server
        printf 'dev  %-4s %10d %7d %6d %14s %14s\n' "$round" "$rate" "$p50" "$p99" "$client" "$cpu"
        dev_rates+=("$rate")
        start_null; read -r rate p50 p99 client cpu <<< "$(produce)"; stop_server
        printf 'null %-4s %10d %7d %6d %14s %14s\n' "$round" "$rate" "$p50" "$p99" "$client" "$cpu"
        null_rates+=("$rate")
        awk -v d="${dev_rates[-1]}" -v n="$rate" 'BEGIN { printf "     round %d: dev / null-broker %.0f %%\n", '"$round"', 100 * d / n }'
    done
    awk -v d="$(median "${dev_rates[@]}")" -v n="$(median "${null_rates[@]}")" \
        'BEGIN { printf "medians: dev %d, null-broker %d msg/s: %.0f %%\n", d, n, 100 * d / n }'
fi

if [ "$drain" -gt 0 ]; then
    echo "== drain: $drain messages sent async to DrainTopic (4 queues), then consumed by a push consumer"
    start_dev
    "${run[@]}" admin updateTopic -n "127.0.0.1:$namesrv" -c DefaultCluster -t DrainTopic -r 4 -w 4 > /dev/null
    "${run[@]}" bench producer -n "127.0.0.1:$namesrv" --topic DrainTopic --count "$drain" --threads 64 --mode async | grep "msg/s"
    "${run[@]}" bench consumer -n "127.0.0.1:$namesrv" --topic DrainTopic --count "$drain" --duration 120 | grep "msg/s"
    stop_server
fi
