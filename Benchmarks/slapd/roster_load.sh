#!/bin/bash
# Loads the benchmark's generated organisation (../shared/bench/gen_org.py) into a fresh Roster
# database and serves it, for a side-by-side run of ../shared/bench/bench.sh.
#   roster_load.sh start MEMBERS   generate, create the database, ldapadd the org, serve on $PORT
#   roster_load.sh stop
# Admin: cn=admin,dc=example,dc=com / $ROSTER_ADMIN_PW (default Bench-admin-pass-1: the password
# rules refuse slapd's "secret"). Members' passwords are the generator's {SSHA}
# hashes (Pw-<uid>), kept as imported from OpenLDAP.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BENCH=${BENCH_DIR:-$ROOT/../shared/bench}
PORT=${PORT:-23389}
WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/roster-bench}
DIR=$WORK/roster
ROSTER=${ROSTER:-$ROOT/.build/release/roster}
ROSTER_ADMIN_PW=${ROSTER_ADMIN_PW:-Bench-admin-pass-1}

stop() {
  [ -f "$DIR/roster.pid" ] || { echo "not running"; return 0; }
  kill "$(cat "$DIR/roster.pid")" 2>/dev/null || true
  sleep 1; rm -f "$DIR/roster.pid"; echo stopped
}

start() {
  local members=${1:?usage: roster_load.sh start MEMBERS}
  stop >/dev/null
  rm -rf "$DIR"; mkdir -p "$DIR" "$WORK/data"
  local ldif=$WORK/data/org-$members.ldif
  [ -s "$ldif" ] || python3 "$BENCH/gen_org.py" --members "$members" --ldif "$ldif" --memberof
  echo "$ROSTER_ADMIN_PW" > "$DIR/admin.pw"
  "$ROSTER" init --database "$DIR/roster.sqlite" --base dc=example,dc=com --organization "Example Corp" \
      --admin-password-file "$DIR/admin.pw" >/dev/null
  "$ROSTER" serve --database "$DIR/roster.sqlite" --listen "127.0.0.1:$PORT" --log-level warning \
      > "$DIR/roster.log" 2>&1 &
  echo $! > "$DIR/roster.pid"
  for _ in $(seq 100); do ldapsearch -x -H "ldap://127.0.0.1:$PORT" -b "" -s base >/dev/null 2>&1 && break; sleep 0.1; done
  # Roster keeps the tree itself: drop the base entry and cn=groups, the operational memberOf
  # (Roster computes it) and employeeNumber (no field of Roster's).
  python3 - "$ldif" > "$DIR/load.ldif" <<'PY'
import sys
out = []
for record in open(sys.argv[1], encoding="utf-8").read().split("\n\n"):
    lines = [l for l in record.split("\n") if l]
    if not lines: continue
    if lines[0] in ("dn: dc=example,dc=com", "dn: cn=groups,dc=example,dc=com"): continue
    keep = [l for l in lines if not l.lower().startswith(("memberof:", "employeenumber:"))]
    out.append("\n".join(keep))
print("\n\n".join(out) + "\n")
PY
  local t0=$SECONDS
  ldapadd -x -c -H "ldap://127.0.0.1:$PORT" -D cn=admin,dc=example,dc=com -w "$ROSTER_ADMIN_PW" -f "$DIR/load.ldif" \
      > "$DIR/ldapadd.log" 2>&1 || true
  echo "loaded $(grep -c '^adding new entry' "$DIR/ldapadd.log") entries in $((SECONDS - t0)) s;" \
       "errors: $(grep -c '^ldap_add' "$DIR/ldapadd.log" || true); pid $(cat "$DIR/roster.pid")"
}

case "${1:-}" in
  start) start "${2:-10000}" ;;
  stop) stop ;;
  *) echo "usage: $0 start MEMBERS | stop"; exit 2 ;;
esac
