#!/usr/bin/env bash
# Builds the libFuzzer target in Fuzz/ (frame decoder, re-encode check, JSON body parser) with
# AddressSanitizer, seeds Fuzz/corpus/ from the captured frames in Fixtures/, and fuzzes.
#
#   Scripts/fuzz-frame-decoder.sh              # 300 s
#   FUZZ_SECONDS=600 Scripts/fuzz-frame-decoder.sh
#   Scripts/fuzz-frame-decoder.sh CRASH_FILE   # replay one input (a reproducer) and exit
#
# Crash, leak and timeout reproducers go to $FUZZ_ARTIFACTS (default Fuzz/.build/artifacts/).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

seconds="${FUZZ_SECONDS:-300}"
artifacts="${FUZZ_ARTIFACTS:-Fuzz/.build/artifacts}"
log="${FUZZ_LOG:-Fuzz/.build/fuzz-frame-decoder.log}"
# Both spellings are needed. SwiftPM's --sanitize=fuzzer lets libFuzzer's `main` link (with only the
# -Xswiftc flags SwiftPM renames the entry point and the link fails on an undefined
# 'FuzzFrameDecoder_main'), but it instruments only this package's own target; the -Xswiftc flags
# instrument RemotingCodec, RocketMQModel and NIOCore too, so coverage guides the fuzzer into the
# codec. The source is not main.swift, so it is compiled as a library (-parse-as-library).
build_flags=(-c release --package-path Fuzz --sanitize=fuzzer --sanitize=address
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)

swift build "${build_flags[@]}"
fuzzer="$(swift build "${build_flags[@]}" --show-bin-path)/FuzzFrameDecoder"

if [[ $# -gt 0 ]]; then
    exec "$fuzzer" "$@"
fi

# Seed corpus: every captured remoting frame (not the HA stream dumps, *-raw.bin). Existing
# corpus entries from earlier runs are kept.
mkdir -p Fuzz/corpus "$artifacts"
seeds=0
for frame in Fixtures/*/[0-9]*-*.bin; do
    [[ "$frame" == *-raw.bin ]] && continue
    scenario="$(basename "$(dirname "$frame")")"
    cp -n "$frame" "Fuzz/corpus/$scenario-$(basename "$frame")"
    seeds=$((seeds + 1))
done
echo "seed frames: $seeds; corpus now $(ls Fuzz/corpus | wc -l) files"

set +e
"$fuzzer" Fuzz/corpus \
    -max_total_time="$seconds" -max_len=70000 -rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-10}" \
    -artifact_prefix="$artifacts/" -print_final_stats=1 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

echo
echo "== summary (full log: $log) =="
grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)' "$log" || true
grep -E '^stat::' "$log" || true
grep -E '^Done [0-9]+ runs' "$log" || true
if [[ $status -ne 0 ]]; then
    echo "fuzzer exited with $status; reproducers:"
    ls -l "$artifacts"
fi
exit "$status"
