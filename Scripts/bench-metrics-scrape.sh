#!/usr/bin/env bash
# [ops] The cost of scraping /metrics every second, two ways, against `rocketmq dev` (release):
#  1. Throughput: `rocketmq bench producer` runs without and with a scraper (one GET /metrics a second over a
#     kept-alive connection, as Prometheus does), ROUNDS pairs in alternating order (so that drift cancels);
#     prints each run's msg/s and the broker's CPU seconds per second, the ratio of the medians and the median
#     of the paired ratios. On a shared machine this is as noisy as the machine.
#  2. CPU: SCRAPES scrapes back to back on the then idle broker (same topics, groups and request codes as under
#     load), its utime+stime from /proc/<pid>/stat minus what it spends idle over the same time: CPU per scrape,
#     and that as a fraction of the broker's CPU per second under load (a scrape a second). This does not depend
#     on what else the machine runs.
#   Scripts/bench-metrics-scrape.sh [ROUNDS=4] [DURATION=10] [THREADS=64] [SCRAPES=1000]   (ROCKETMQ_BIN: another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/lib.sh
rounds=${1:-4}; duration=${2:-10}; threads=${3:-64}; scrapes=${4:-1000}
bin=${ROCKETMQ_BIN:-.build/release/rocketmq}
require_binary "$bin"
work=$(mktemp -d)
dev_pid=""; scraper_pid=""
cleanup() {
    [ -n "$scraper_pid" ] && kill "$scraper_pid" 2>/dev/null || true
    [ -n "$dev_pid" ] && kill "$dev_pid" 2>/dev/null && wait "$dev_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
namesrv=$(free_port); http=$(free_port)
broker=$(broker_port)
nice -n -15 "$bin" dev --store "$work/store" --namesrv-port "$namesrv" --broker-port "$broker" --metrics-port "$http" \
    >"$work/dev.out" 2>"$work/dev.err" &
dev_pid=$!
wait_for "$work/dev.out" "boot success" "listening on http" || { cat "$work/dev.err" >&2; exit 1; }
sleep 2  # the broker's first registration
# The broker's CPU seconds so far (utime + stime, after the command name, which may hold spaces).
cpu() { python3 -c 'import os,sys; f=open(f"/proc/{sys.argv[1]}/stat").read().rsplit(")",1)[1].split(); print((int(f[11])+int(f[12]))/os.sysconf("SC_CLK_TCK"))' "$dev_pid"; }
now() { python3 -c 'import time; print(time.monotonic())'; }
# GET /metrics over one kept-alive connection: every INTERVAL s until killed, or COUNT times back to back.
cat >"$work/scrape.py" <<'PY'
import http.client, sys, time
port, interval, count = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
connection = http.client.HTTPConnection("127.0.0.1", port)
done = 0
while count == 0 or done < count:
    connection.request("GET", "/metrics")
    response = connection.getresponse()
    assert response.status == 200
    response.read()
    done += 1
    if interval > 0: time.sleep(interval)
PY
scraper() { python3 "$work/scrape.py" "$http" "$1" "$2"; }
# One bench run: "msg/s broker-cpu-seconds-per-second".
bench() {
    local c0 t0 rate c1 t1
    c0=$(cpu); t0=$(now)
    rate=$(nice -n -15 "$bin" bench producer -n "127.0.0.1:$namesrv" --duration "$duration" --threads "$threads" --json 2>/dev/null \
        | tail -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["rate"])')
    c1=$(cpu); t1=$(now)
    python3 -c 'import sys; r,c0,c1,t0,t1=map(float,sys.argv[1:]); print(f"{r:.0f} {(c1-c0)/(t1-t0):.3f}")' "$rate" "$c0" "$c1" "$t0" "$t1"
}
with_scraper() {
    # python itself in the background (its pid to kill; stdout not the caller's $(…)).
    python3 "$work/scrape.py" "$http" 1 0 >/dev/null & scraper_pid=$!
    bench
    kill "$scraper_pid"; wait "$scraper_pid" 2>/dev/null || true; scraper_pid=""
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
bench >/dev/null  # warm-up (topic creation, page cache)
without=(); with=(); cpu_load=()
for round in $(seq 1 "$rounds"); do
    if (( round % 2 )); then a=$(bench); b=$(with_scraper); else b=$(with_scraper); a=$(bench); fi
    without+=("${a%% *}"); with+=("${b%% *}"); cpu_load+=("${a##* }" "${b##* }")
    echo "round $round: without ${a%% *} msg/s (broker ${a##* } CPU s/s)  with ${b%% *} msg/s (broker ${b##* } CPU s/s)  load $(cut -d' ' -f1 /proc/loadavg)"
done
# Part 2 on the idle broker: its idle CPU rate, then SCRAPES scrapes back to back.
sleep 2
c0=$(cpu); t0=$(now); sleep 10; c1=$(cpu); t1=$(now)
scraper 0 1 >/dev/null  # the connection and the first scrape
s0=$(cpu); u0=$(now); scraper 0 "$scrapes"; s1=$(cpu); u1=$(now)
size=$(curl -s "http://127.0.0.1:$http/metrics" | wc -c)
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "${without[*]}" "${with[*]}" "${cpu_load[*]}" "$c0" "$c1" "$t0" "$t1" "$s0" "$s1" "$u0" "$u1" "$scrapes" "$size" <<'PY'
import statistics, sys
a = [float(x) for x in sys.argv[1].split()]; b = [float(x) for x in sys.argv[2].split()]
load = statistics.median(float(x) for x in sys.argv[3].split())
c0, c1, t0, t1, s0, s1, u0, u1 = map(float, sys.argv[4:12]); n = int(sys.argv[12]); size = int(sys.argv[13])
idle = (c1 - c0) / (t1 - t0)
per_scrape = ((s1 - s0) - idle * (u1 - u0)) / n
paired = [y / x for x, y in zip(a, b)]
print(f"throughput: median without {statistics.median(a):.0f} msg/s, with a scrape a second {statistics.median(b):.0f} msg/s, "
      f"ratio {statistics.median(b)/statistics.median(a):.4f}; paired ratios {[round(r, 3) for r in paired]}, "
      f"median {statistics.median(paired):.4f}")
print(f"cpu: {n} scrapes of {size} bytes in {u1 - u0:.2f} s wall, broker CPU {s1 - s0:.2f} s (idle {idle * 1000:.1f} ms/s): "
      f"{per_scrape * 1000:.3f} ms CPU per scrape; broker under load {load:.3f} CPU s/s (median of the runs), "
      f"so a scrape a second is {per_scrape / load * 100:.3f} % of the broker's CPU")
PY
