#!/usr/bin/env bash
# [ops] The cost of scraping /metrics every second on the broker's send throughput: `rocketmq dev`
# (release) and `rocketmq bench producer`, alternating runs without and with a 1 s scraper, ROUNDS
# times each; prints each run's TPS and the ratio of the medians (with / without).
#   Scripts/bench-metrics-scrape.sh [ROUNDS=4] [DURATION=10] [THREADS=64]   (ROCKETMQ_BIN: another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-4}; duration=${2:-10}; threads=${3:-64}
bin=${ROCKETMQ_BIN:-.build/release/rocketmq}
[ -x "$bin" ] || { echo "build first: swift build -c release --product rocketmq" >&2; exit 1; }
work=$(mktemp -d)
dev_pid=""; scraper_pid=""
cleanup() {
    [ -n "$scraper_pid" ] && kill "$scraper_pid" 2>/dev/null || true
    [ -n "$dev_pid" ] && kill "$dev_pid" 2>/dev/null && wait "$dev_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
namesrv=$(port); http=$(port)
broker=$(python3 -c 'import socket
def free(q):
    try:
        s = socket.socket(); s.bind(("127.0.0.1", q)); s.close(); return True
    except OSError:
        return False
print(next(p for p in range(20011, 60000, 97) if all(free(q) for q in (p - 2, p, p + 1))))')
nice -n -15 "$bin" dev --store "$work/store" --namesrv-port "$namesrv" --broker-port "$broker" --metrics-port "$http" \
    >"$work/dev.out" 2>"$work/dev.err" &
dev_pid=$!
for _ in $(seq 1 100); do grep -q "boot success" "$work/dev.out" 2>/dev/null && grep -q "listening on http" "$work/dev.out" && break; sleep 0.1; done
sleep 2  # the broker's first registration
bench() {
    nice -n -15 "$bin" bench producer -n "127.0.0.1:$namesrv" --duration "$duration" --threads "$threads" --json 2>/dev/null | tail -1 \
        | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["rate"])'
}
# Warm-up (topic creation, page cache).
bench >/dev/null
without=(); with=()
for round in $(seq 1 "$rounds"); do
    without+=("$(bench)")
    ( while true; do curl -s -o /dev/null "http://127.0.0.1:$http/metrics"; sleep 1; done ) &
    scraper_pid=$!
    with+=("$(bench)")
    kill "$scraper_pid"; wait "$scraper_pid" 2>/dev/null || true; scraper_pid=""
    echo "round $round: without ${without[-1]}  with ${with[-1]}"
done
python3 - "${without[*]}" "${with[*]}" <<'PY'
import statistics, sys
a = [float(x) for x in sys.argv[1].split()]; b = [float(x) for x in sys.argv[2].split()]
print(f"median without {statistics.median(a):.0f} msg/s, with scraping {statistics.median(b):.0f} msg/s, "
      f"ratio with/without {statistics.median(b)/statistics.median(a):.4f}; "
      f"paired ratios {[round(y/x, 4) for x, y in zip(a, b)]}")
PY
