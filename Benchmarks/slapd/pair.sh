#!/bin/bash
# Side by side at 10 000 members: slapd, a Roster binary from before a change, and the current
# one, interleaved in one session so the box's drift hits all three alike.
#   BEFORE=/path/to/old/roster AFTER=.build/release/roster ORDER="slapd old new new old" \
#     Benchmarks/slapd/pair.sh            # results in $OUT (default /tmp/bench-pair.txt)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=${BENCH_DIR:-$ROOT/../shared/bench}
OUT=${OUT:-/tmp/bench-pair.txt}
AFTER=${AFTER:-$ROOT/.build/release/roster}
BEFORE=${BEFORE:-}
: > "$OUT"
export MEMBERS=${MEMBERS:-10000} DURATION=${DURATION:-10} LDCLT=${LDCLT:-0} WORKLOADS=${WORKLOADS:-"uid substr bind modify"}
run_slapd() {
  (cd "$B" && ./run_slapd.sh start "$MEMBERS" >/dev/null 2>&1)
  echo "== slapd" >> "$OUT"
  "$B/bench.sh" ldap://127.0.0.1:13389 cn=admin,dc=example,dc=com secret >> "$OUT" 2>&1
  (cd "$B" && ./run_slapd.sh stop >/dev/null 2>&1)
}
run_roster() {  # label binary
  echo "== $1" >> "$OUT"
  ROSTER=$2 PORT=23389 "$HERE/roster_load.sh" start "$MEMBERS" >> "$OUT" 2>&1
  SERVER_PID=$(cat "${BENCH_WORK:-/tmp/roster-bench}/roster/roster.pid") "$B/bench.sh" ldap://127.0.0.1:23389 cn=admin,dc=example,dc=com "${ROSTER_ADMIN_PW:-Bench-admin-pass-1}" >> "$OUT" 2>&1
  "$HERE/roster_load.sh" stop >/dev/null 2>&1
}
ORDER=${ORDER:-slapd new}
for step in $ORDER; do
  case $step in
    slapd) run_slapd ;;
    old) [ -n "$BEFORE" ] && run_roster "roster-before" "$BEFORE" ;;
    new) run_roster "roster-after" "$AFTER" ;;
  esac
done
echo "== done" >> "$OUT"
