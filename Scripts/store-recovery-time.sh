#!/usr/bin/env bash
# Recovery time of a large store after SIGKILL: fills a store (1 GiB commit-log files, ASYNC_FLUSH, 128-byte
# messages) to 50 MB short of SIZE_GB (so the last file is nearly full: abnormal recovery scans that whole
# file, with CRCs, from its first message older than the checkpoint), lets it run SETTLE_SECONDS more at a low rate (the checkpoint is written every
# flushConsumeQueueThoroughInterval, 60 s by default, as on a broker that has been up a while), SIGKILLs it and
# times the reopen. Then, for the worst case, the same after a kill in the middle of the fill (the checkpoint
# still from the start: recovery scans the whole log, as Java's does).
#
#   Scripts/store-recovery-time.sh [SIZE_GB] [SETTLE_SECONDS]      (defaults 4 and 70)
#   STORE_DIR=/path/on/the/disk/to/measure Scripts/store-recovery-time.sh
#
# Needs SIZE_GB + about 1.5 GB free (index files, the next pre-allocated commit-log file); removes the store after.
set -euo pipefail
SIZE_GB=${1:-4}
SETTLE=${2:-70}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${STORE_DIR:-${TMPDIR:-/tmp}/rocketmq-recovery-$$}
mkdir -p "$DIR"
trap 'kill -9 ${PID:-} 2>/dev/null || true; rm -rf "$DIR" "$DIR.log"' EXIT

NEED_KB=$(( (SIZE_GB * 1024 + 1536) * 1024 ))
FREE_KB=$(df -Pk "$DIR" | awk 'NR==2 {print $4}')
if (( FREE_KB < NEED_KB )); then
    echo "need $((NEED_KB / 1024)) MiB free under $DIR, have $((FREE_KB / 1024)) MiB" >&2
    exit 1
fi

swift build -c release --package-path "$ROOT/Benchmarks" --product StoreTool >&2
TOOL="$ROOT/Benchmarks/.build/release/StoreTool"

# Drops the page cache when allowed (root outside a container), so that the first reopen reads from disk.
drop_caches() {
    sync
    if (echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then echo "page cache dropped"; else echo "page cache kept (not allowed to drop it)"; fi
}

run() { # $1: settle seconds; $2: label
    rm -rf "$DIR"/*
    : > "$DIR.log"
    "$TOOL" fill "$DIR" "$(awk "BEGIN {print $SIZE_GB - 0.05}")" "$1" > "$DIR.log" &
    PID=$!
    until grep -q READY "$DIR.log" 2>/dev/null; do
        kill -0 "$PID" 2>/dev/null || { cat "$DIR.log"; echo "fill exited early" >&2; exit 1; }
        sleep 1
    done
    kill -9 "$PID"
    wait "$PID" 2>/dev/null || true
    PID=
    echo "== $2"
    cat "$DIR.log"
    du -sh "$DIR"/commitlog "$DIR"/consumequeue "$DIR"/index | sed 's/^/   /'
    echo "-- abnormal, page cache warm (the process died, the machine did not):"
    "$TOOL" recover "$DIR" crash
    echo "-- abnormal again, $(drop_caches) (as after a reboot):"
    "$TOOL" recover "$DIR"
    echo "-- clean reopen:"
    "$TOOL" recover "$DIR"
}

run "$SETTLE" "SIGKILL ${SETTLE} s after a ${SIZE_GB} GB fill (steady state)"
run 0 "SIGKILL right after a ${SIZE_GB} GB fill (checkpoint from the start: worst case)"
