#!/usr/bin/env bash
# Builds Roster's libFuzzer targets and runs them for a bounded time.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS] [LIBFUZZER FLAGS...]
#
# TARGET is pdu (the PDU framer and decoder), dn (the RFC 4514 DN parser) or filter (the RFC 4515
# filter-string parser); all (the default) runs each in turn. SECONDS (default 20) is each
# target's time. Everything is compiled with -sanitize=fuzzer,address: Roster's modules and
# SwiftNIO are instrumented too, not only the harnesses in Fuzz/Sources/. The build is a release
# build in its own scratch folder (Fuzz/.build): -O keeps Swift's overflow and bounds checks and
# runs about 20 times as many inputs a second as a debug build.
#
# Each target starts from its committed seed corpus (Fuzz/corpus/TARGET) and adds what it finds to
# Fuzz/work/TARGET, which grows from run to run. A crash, a failed property, a timeout (-timeout)
# or running out of memory (-rss_limit_mb) stops the target, keeps the input as
# Fuzz/crashes/TARGET-crash-… (or -timeout-…, -oom-…) and makes this script exit non-zero after
# the remaining targets have run. Replay one with: Fuzz/.build/release/FuzzPDU Fuzz/crashes/FILE
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:-all}"
seconds="${2:-20}"
shift $(($# < 2 ? $# : 2))
case "$target" in
    all) targets=(pdu dn filter) ;;
    pdu | dn | filter) targets=("$target") ;;
    *) echo "usage: scripts/fuzz.sh [pdu|dn|filter|all] [SECONDS] [LIBFUZZER FLAGS...]" >&2; exit 2 ;;
esac
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "SECONDS must be a whole number, got $seconds" >&2; exit 2; }

product() {
    case "$1" in pdu) echo FuzzPDU ;; dn) echo FuzzDN ;; filter) echo FuzzFilter ;; esac
}

# --sanitize=fuzzer makes SwiftPM link libFuzzer's main instead of the targets' own entry point;
# -Xswiftc -sanitize=fuzzer,address then instruments every module for coverage and ASan (swiftc
# keeps only the last -sanitize= it is given, so the two must be one flag). The linker's
# "Cannot export local symbol" warnings about ASan's helpers are noise and filtered out.
for t in "${targets[@]}"; do
    echo "== building $(product "$t")" >&2
    set +e
    swift build --package-path Fuzz --scratch-path Fuzz/.build -c release --product "$(product "$t")" \
        --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address 2>&1 | grep -v "Cannot export local symbol"
    status=${PIPESTATUS[0]}
    set -e
    if [ "$status" -ne 0 ]; then
        echo "fuzz: building $(product "$t") failed" >&2
        exit 1
    fi
done

root="$(pwd)"
failed=()
for t in "${targets[@]}"; do
    mkdir -p "Fuzz/work/$t" Fuzz/crashes
    echo "== fuzzing $t for ${seconds}s" >&2
    set +e
    # The Swift runtime's own backtracer would race ASan and libFuzzer for the crash; libFuzzer
    # reports it and keeps the input. libFuzzer writes its -jobs logs to the working directory.
    (cd "Fuzz/work" && SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
        "$root/Fuzz/.build/release/$(product "$t")" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
        -dict="$root/Fuzz/dict/$t.dict" -artifact_prefix="$root/Fuzz/crashes/$t-" \
        "$@" "$root/Fuzz/work/$t" "$root/Fuzz/corpus/$t")
    status=$?
    set -e
    if [ "$status" -ne 0 ]; then
        echo "fuzz: $t failed (exit $status); a crashing input is kept in Fuzz/crashes/" >&2
        failed+=("$t")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: FAILED: ${failed[*]}" >&2
    ls -1 Fuzz/crashes/ >&2
    exit 1
fi
echo "fuzz: ${targets[*]} ran ${seconds}s each without a crash" >&2
