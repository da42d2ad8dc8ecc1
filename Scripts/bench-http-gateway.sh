#!/usr/bin/env bash
# Benchmarks the HTTP gateway of a release `rocketmq dev`: wrk POSTing 128-byte bodies (keep-alive) to
# /topics/BenchTopic/messages, then push delivery of everything sent to a local nginx answering 200.
# Needs wrk and nginx (apt-get install -y wrk nginx-light); loopback only; stops what it starts.
# Usage: [ROCKETMQ_BIN=…] [FULL_PAGE_CACHE=1] Scripts/bench-http-gateway.sh [seconds=15] [connections=32]
# (FULL_PAGE_CACHE: the page cache filled first, as on a server that has run a while; Scripts/lib.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/lib.sh
seconds=${1:-15}
connections=${2:-32}
work=$(mktemp -d /tmp/bench-http-XXXXXX)
bin=${ROCKETMQ_BIN:-.build/release/rocketmq}  # ROCKETMQ_BIN=.build/debug/rocketmq for a quick look
require_binary "$bin"
namesrv=$(free_port); http=$(free_port); receiver=$(free_port)
broker=$(broker_port)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

fill_page_cache "$work"
ROCKETMQ_LOG_LEVEL=warning "$bin" dev --store "$work/store" --namesrv-port "$namesrv" --broker-port "$broker" \
    --http-port "$http" > "$work/dev.out" 2> "$work/dev.err" &
pids+=($!)
wait_for "$work/dev.out" "HTTP gateway boot success" || { cat "$work/dev.err" >&2; exit 1; }
base="http://127.0.0.1:$http"
"$bin" admin updateTopic -n "127.0.0.1:$namesrv" -c DefaultCluster -t BenchTopic > /dev/null
for _ in $(seq 100); do  # the gateway answers 404 until the name server routes the topic
    [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/topics/BenchTopic/messages" -d warm)" = 200 ] && break
    sleep 0.1
done

cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body   = string.rep("x", 128)
wrk.headers["Content-Type"] = "application/octet-stream"
LUA
echo "== wrk: POST /topics/BenchTopic/messages, 128-byte bodies, $connections connections, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" "$base/topics/BenchTopic/messages" | tee "$work/wrk.out"

mkdir -p "$work/nginx"
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
    log_format delivery '\$http_x_rocketmq_msg_id';
    access_log $work/nginx/access.log delivery;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    keepalive_requests 10000000;
    server { listen 127.0.0.1:$receiver; location / { return 200; } }
}
NGINX
nginx -c "$work/nginx.conf" &
pids+=($!)
sleep 0.5
# What the broker stored, the warm-up message included: wrk counts the requests it saw answered, not the ones
# still in flight when its time ran out, which the gateway sent on.
total=$("$bin" admin topicStatus -n "127.0.0.1:$namesrv" -t BenchTopic | awk 'NR > 1 {sum += $4} END {print sum}')
echo "== push: $total messages from offset 0 to nginx on :$receiver (concurrency 64)"
curl -s -o /dev/null -X POST "$base/subscriptions" -d "{\"group\":\"BENCH_PUSH\",\"topic\":\"BenchTopic\",\"backurl\":\"http://127.0.0.1:$receiver/hook\",\"consumeFromWhere\":\"CONSUME_FROM_FIRST_OFFSET\",\"concurrency\":64}"
started=""; count=0; previous=0; stalled=0; finished=""
for _ in $(seq 1200); do
    sleep 0.5
    count=$(wc -l < "$work/nginx/access.log")
    if [ -z "$started" ] && [ "$count" -gt 0 ]; then started=$(date +%s.%N); first=$count; fi
    if [ "$count" -gt "$previous" ]; then finished=$(date +%s.%N); stalled=0; else stalled=$((stalled + 1)); fi
    previous=$count
    [ "$count" -ge "$total" ] || [ "$stalled" -ge 10 ] && break
done
echo "== delivered $count of $total ($(sort -u "$work/nginx/access.log" | wc -l) distinct message ids); $(python3 -c "print(round(($count - ${first:-0}) / max(0.001, $finished - ${started:-$finished})))") msg/s after the first"
