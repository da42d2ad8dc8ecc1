# Helpers the bench and soak scripts share; sourced, not run. Loopback only.

# A free TCP port on 127.0.0.1 (the kernel's pick, in the ephemeral range).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A broker listen port below the ephemeral range whose neighbours are free too: the broker also listens on
# port − 2 (VIP channel) and port + 1 (HA), which the kernel's pick would not reserve.
broker_port() {
    python3 -c 'import random, socket
def free(port):
    try:
        with socket.socket() as s: s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
print(next(p for p in iter(lambda: random.randrange(20000, 29000), None) if all(free(q) for q in (p - 2, p, p + 1))))'
}

# wait_for FILE PATTERN…: waits up to 10 s until FILE holds every PATTERN (grep -E); otherwise prints FILE to
# standard error and fails.
wait_for() {
    local file=$1 pattern missing
    shift
    for _ in $(seq 100); do
        missing=""
        for pattern in "$@"; do grep -qE "$pattern" "$file" 2>/dev/null || { missing=$pattern; break; }; done
        [ -z "$missing" ] && return 0
        sleep 0.1
    done
    echo "no \"$missing\" in $file within 10 s:" >&2
    cat "$file" >&2
    return 1
}

# Fails unless the rocketmq binary the script runs ($1) was built.
require_binary() {
    [ -x "$1" ] || { echo "build first: swift build -c release --product rocketmq" >&2; exit 1; }
}

# fill_page_cache DIR: with FULL_PAGE_CACHE=1, fills the free memory with clean page-cache pages by reading a
# sparse file as large as the memory (kept in DIR for the next call, which re-reads only what was evicted): the
# state of a server that has run a while, whose store gets reclaimed pages. On a fresh VM whose host takes free
# memory back (virtio-balloon free page reporting), a never-used page costs a fault in the host at its first
# touch, which only a real store pays (commit-log, queue and index pages), not the null broker nor a client.
# The first fill takes about a minute; the cache it evicts is clean (nothing is written). DIR must be on a disk
# file system (ext4 caches a hole's pages when read; tmpfs does not).
fill_page_cache() {
    [ "${FULL_PAGE_CACHE:-0}" = 1 ] || return 0
    [ -f "$1/fill" ] || truncate -s "$(awk '$1 == "MemTotal:" {print $2}' /proc/meminfo)K" "$1/fill"
    cat "$1/fill" > /dev/null
}
