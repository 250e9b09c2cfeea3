#!/bin/bash
# Roster against OpenLDAP slapd, side by side in one run (issue 12).
#
#   Benchmarks/compare/compare.sh [MEMBERS ...]      # default: 10000 100000
#
# For each size: one generated organisation (../shared/bench/gen_org.py: Chinese names, about 25
# members per department, groups, {SSHA} passwords Pw-<uid>) is loaded into slapd (back-mdb, by
# slapadd) and into Roster (by its own bulk path, `roster import org.ldif`, before it serves);
# then the same workloads run against each, one server at a time:
#   python-ldap (../shared/bench/ldload.py) with 4 and 16 clients: uid equality, address-book
#   substring (|(cn=X*)(mail=X*)(sn=X*)), bind as random members on an open connection, modify of
#   telephoneNumber (durable on both);
#   ldclt (389-ds-base) with 4 and 16 threads: uid equality, connect + bind + unbind;
#   bound as a member whose scope is `department` (Roster: every top-level department's scope set
#   to department; slapd: the same DN, which slapd's ACL lets read everything): uid and substring;
#   binds with Roster's default hash ({PBKDF2-SHA512}, 100 000 iterations) on 200 members whose
#   passwords were set through LDAP (reported alone: slapd has no such hash here).
# Both servers bind {SSHA} (Roster serves with --no-upgrade-hashes, so the hash cost is equal).
# It prints a Markdown table per size — ops/s, p50/p99, server CPU µs per operation and RSS for
# each, and the ratio Roster/slapd — and, with two sizes, Roster's CPU per operation at both.
#
# Env: DURATION s per cell (10, a multiple of 10), CLIENTS ("4 16"), ROSTER (a release binary;
#      default: swift build -c release --build-path .build-rel), BENCH_DIR (../shared/bench),
#      BENCH_WORK (/tmp/roster-bench), OUT (the run's directory; default under BENCH_WORK).
# Installs what it needs when missing (slapd, ldap-utils, 389-ds-base, python3-ldap, bc,
# iproute2), never starting their services. Not part of the test suite: the machine should be
# otherwise idle. About 8 minutes at 10 000 members and 20 at 100 000 with the defaults.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=${BENCH_DIR:-$ROOT/../shared/bench}
WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/roster-bench}
SIZES=${*:-10000 100000}
export DURATION=${DURATION:-10} CLIENTS=${CLIENTS:-"4 16"}
OUT=${OUT:-$WORK/compare-$(date -u +%Y%m%dT%H%M%SZ)}
PY=/usr/bin/python3
ADMIN=cn=admin,dc=example,dc=com
RPW=Bench-admin-pass-1   # Roster's admin password (its rules refuse slapd's "secret")
mkdir -p "$OUT" "$WORK/data"

# --- what it needs
need=()
[ -x /usr/sbin/slapd ] || need+=(slapd)
command -v ldapsearch >/dev/null 2>&1 || need+=(ldap-utils)
command -v ldclt >/dev/null 2>&1 || need+=(389-ds-base)
$PY -c 'import ldap' >/dev/null 2>&1 || need+=(python3-ldap)
command -v bc >/dev/null 2>&1 || need+=(bc)
command -v ss >/dev/null 2>&1 || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "installing ${need[*]}" >&2
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null; $SUDO chmod +x /usr/sbin/policy-rc.d; policy=1
  fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  [ -n "$policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d
fi
export PATH="$PATH:/usr/sbin"

if [ -z "${ROSTER:-}" ]; then
  (cd "$ROOT" && swift build -c release --product roster --build-path .build-rel >/dev/null)
  ROSTER=$ROOT/.build-rel/release/roster
fi

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$OUT/slapd/slapd.pid" ] && (cd "$B" && SLAPD_DIR=$OUT/slapd ./run_slapd.sh stop >/dev/null 2>&1) || true
}
trap cleanup EXIT

# bench LABEL URI BINDDN PASSWORD [ENV...]: ../shared/bench/bench.sh into $OUT/LABEL.txt
bench() {
  local label=$1 uri=$2 dn=$3 pw=$4; shift 4
  echo "  $label" >&2
  env "$@" BENCH_WORK="$WORK" "$B/bench.sh" "$uri" "$dn" "$pw" > "$OUT/$label.txt" 2>&1 || true
}

for N in $SIZES; do
  echo "== $N members" >&2
  export MEMBERS=$N
  LDIF=$WORK/data/org-$N.ldif USERS=$WORK/data/users-$N.tsv
  [ -s "$LDIF" ] && [ -s "$USERS" ] || \
    python3 "$B/gen_org.py" --members "$N" --memberof --ldif "$LDIF" --csv "$WORK/data/org-$N.csv" --tsv "$USERS" >/dev/null
  # The member bound for the visibility runs: the first of the generated list.
  IFS=$'\t' read -r MDN _ MPW _ < "$USERS"
  # 200 members for the default-hash binds (their passwords set through LDAP on Roster; not
  # Pw-<uid>, which Roster's rules refuse for containing the account).
  awk -F'\t' -v OFS='\t' 'NR % 7 == 2 && n < 200 { n++; $3 = "Bench-hash-" n "-k9"; print }' "$USERS" > "$OUT/hashed-$N.tsv"

  # --- slapd
  SPORT=$(free_port)
  (cd "$B" && BENCH_WORK=$WORK SLAPD_DIR=$OUT/slapd PORT=$SPORT ./run_slapd.sh start "$N") > "$OUT/$N-slapd-load.txt" 2>&1
  SPID=$(cat "$OUT/slapd/slapd.pid")
  echo "rss_after_load=$(awk '/VmRSS/{printf "%.0f", $2/1024}' /proc/$SPID/status)MB" >> "$OUT/$N-slapd-load.txt"
  bench "$N-slapd-admin" "ldap://127.0.0.1:$SPORT" "$ADMIN" secret SERVER_PID=$SPID LDCLT=1
  bench "$N-slapd-member" "ldap://127.0.0.1:$SPORT" "$MDN" "$MPW" SERVER_PID=$SPID LDCLT=0 WORKLOADS="uid substr"
  (cd "$B" && SLAPD_DIR=$OUT/slapd ./run_slapd.sh stop >/dev/null 2>&1) || true

  # --- Roster
  RDIR=$OUT/roster-$N; rm -rf "$RDIR"; mkdir -p "$RDIR"
  echo "$RPW" > "$RDIR/admin.pw"
  "$ROSTER" init --database "$RDIR/roster.sqlite" --base dc=example,dc=com --admin-password-file "$RDIR/admin.pw" >/dev/null
  t0=$(date +%s.%N)
  "$ROSTER" import --max-size 1073741824 --database "$RDIR/roster.sqlite" "$LDIF" > "$OUT/$N-roster-load.txt" 2>&1 || true
  echo "roster import $N members: $(echo "$(date +%s.%N) - $t0" | bc | xargs printf '%.1f') s" >> "$OUT/$N-roster-load.txt"
  # Members see their own department only: every top-level department's scope is `department`.
  "$ROSTER" department list --database "$RDIR/roster.sqlite" | sed -n -E 's/^  ([^ ].*) \[[0-9]+\/[0-9]+\].*$/\1/p' |
    while read -r top; do "$ROSTER" department set "$top" --scope department --database "$RDIR/roster.sqlite" >/dev/null; done
  RPORT=$(free_port)
  "$ROSTER" serve --database "$RDIR/roster.sqlite" --listen "127.0.0.1:$RPORT" --log-level warning --no-upgrade-hashes \
      > "$RDIR/serve.log" 2>&1 &
  RPID=$!; PIDS+=("$RPID")
  for _ in $(seq 300); do ldapsearch -x -H "ldap://127.0.0.1:$RPORT" -b "" -s base >/dev/null 2>&1 && break; sleep 0.2; done
  echo "rss_after_load=$(awk '/VmRSS/{printf "%.0f", $2/1024}' /proc/$RPID/status)MB" >> "$OUT/$N-roster-load.txt"
  bench "$N-roster-admin" "ldap://127.0.0.1:$RPORT" "$ADMIN" "$RPW" SERVER_PID=$RPID LDCLT=1
  bench "$N-roster-member" "ldap://127.0.0.1:$RPORT" "$MDN" "$MPW" SERVER_PID=$RPID LDCLT=0 WORKLOADS="uid substr"
  # Roster's default hash: 200 members' passwords set through LDAP (hashed by the server).
  awk -F'\t' '{printf "dn: %s\nchangetype: modify\nreplace: userPassword\nuserPassword: %s\n\n", $1, $3}' "$OUT/hashed-$N.tsv" |
    ldapmodify -x -H "ldap://127.0.0.1:$RPORT" -D "$ADMIN" -w "$RPW" >/dev/null
  {
    echo "# default hash, 200 members"
    c0=$(awk -v t="$(getconf CLK_TCK)" '{printf "%.2f", ($14+$15)/t}' /proc/$RPID/stat)
    line=$($PY "$B/ldload.py" --uri "ldap://127.0.0.1:$RPORT" --binddn "$ADMIN" --password "$RPW" --users "$OUT/hashed-$N.tsv" \
        --workload bind --clients 4 --duration "$DURATION" 2>&1 | tail -1)
    c1=$(awk -v t="$(getconf CLK_TCK)" '{printf "%.2f", ($14+$15)/t}' /proc/$RPID/stat)
    echo "py:bind-pbkdf2/c4 $line | server_cpu=$(echo "$c1 - $c0" | bc)s"
  } > "$OUT/$N-roster-defaulthash.txt" 2>&1
  kill "$RPID" 2>/dev/null || true; wait "$RPID" 2>/dev/null || true
done

$PY "$HERE/table.py" "$OUT" $SIZES | tee "$OUT/table.md"
echo "raw output: $OUT" >&2
