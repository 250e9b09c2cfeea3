#!/bin/bash
# Two Roster nodes on one PostgreSQL, side by side with slapd's durable modify, in one run:
#   (a) write throughput: modify/s of one attribute (telephoneNumber), N clients split over two
#       nodes taking writes at once, against slapd with N clients (../shared/bench, durable back-mdb)
#   (b) visibility lag from a write's acknowledgement on node A to the first search on node B
#       that returns it, p50/p99 over LAG_WRITES writes (Benchmarks/postgres/lag.py)
#   (c) reads on a PostgreSQL node against a SQLite node holding the same data (uid equality and
#       address-book substring search, same driver: ../shared/bench/ldload.py)
#
#   Benchmarks/postgres/multinode.sh            # results on stdout and in $OUT
# Env: MEMBERS (10000), DURATION per cell in s (10), CLIENTS ("4 16"), READ_CLIENTS (4),
#      LAG_WRITES (1000), ROSTER (default: swift build -c release, then .build-rel/release/roster),
#      BENCH_DIR (../shared/bench), BENCH_WORK (/tmp/roster-bench), OUT (/tmp/bench-multinode.txt).
# PostgreSQL: Debian's binaries, initdb + pg_ctl in a temporary directory on a free loopback port,
# durable (fsync and synchronous_commit on, the defaults), as the `postgres` user when run as root.
# Everything it starts it stops on exit. Takes about 3-4 minutes at the defaults.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=${BENCH_DIR:-$ROOT/../shared/bench}
WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/roster-bench}
MEMBERS=${MEMBERS:-10000}; DURATION=${DURATION:-10}; CLIENTS=${CLIENTS:-"4 16"}
READ_CLIENTS=${READ_CLIENTS:-4}; LAG_WRITES=${LAG_WRITES:-1000}
OUT=${OUT:-/tmp/bench-multinode.txt}
PY=${PY:-/usr/bin/python3}
ADMIN=cn=admin,dc=example,dc=com
RPW=Bench-admin-pass-1   # Roster's admin (the password rules refuse slapd's "secret")
DIR=$(mktemp -d /tmp/roster-multinode.XXXXXX)
chmod 755 "$DIR"
PIDS=()
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)"; exit 1; }

log() { echo "$*" | tee -a "$OUT"; }
# slapd of ../shared/bench, in this run's own directory and on a free port (never another run's).
SLAPD_PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
slapd_ctl() { (cd "$B" && BENCH_WORK=$WORK SLAPD_DIR=$DIR/slapd PORT=$SLAPD_PORT ./run_slapd.sh "$@"); }
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -d "$DIR/pg/data" ] && as_pg "$PGBIN/pg_ctl" -D "$DIR/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  [ -f "$DIR/slapd/slapd.pid" ] && slapd_ctl stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

if [ -z "${ROSTER:-}" ]; then
  (cd "$ROOT" && swift build -c release --product roster --build-path .build-rel >/dev/null)
  ROSTER=$ROOT/.build-rel/release/roster
fi
: > "$OUT"
log "# $(date -u +%FT%TZ) multinode members=$MEMBERS duration=${DURATION}s clients=\"$CLIENTS\" nproc=$(nproc) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\" roster=$(cd "$ROOT" && git rev-parse --short HEAD)"

# --- data: the generator's organisation, loaded into a SQLite directory over LDAP ------------
mkdir -p "$WORK/data"
LDIF=$WORK/data/org-$MEMBERS.ldif; USERS=$WORK/data/users-$MEMBERS.tsv
[ -s "$LDIF" ] && [ -s "$USERS" ] || "$PY" "$B/gen_org.py" --members "$MEMBERS" --memberof --ldif "$LDIF" \
    --csv "$WORK/data/org-$MEMBERS.csv" --tsv "$USERS"
echo "$RPW" > "$DIR/admin.pw"
"$ROSTER" init --database "$DIR/sqlite.db" --base dc=example,dc=com --organization "Example Corp" \
    --admin-password-file "$DIR/admin.pw" >/dev/null
serve() {  # serve DATABASE PORT [ARGS...]: starts a node, appends its pid to PIDS
  local db=$1 port=$2; shift 2
  "$ROSTER" serve --database "$db" --listen "127.0.0.1:$port" --log-level warning "$@" >> "$DIR/roster-$port.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 150); do ldapsearch -x -H "ldap://127.0.0.1:$port" -b "" -s base >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "roster serve on $port did not start:"; cat "$DIR/roster-$port.log"; exit 1
}
LOADPORT=$(free_port)
serve "$DIR/sqlite.db" "$LOADPORT"
# Roster keeps the tree itself: drop the base entry, cn=groups, memberOf and employeeNumber
# (as Benchmarks/slapd/roster_load.sh does).
"$PY" - "$LDIF" > "$DIR/load.ldif" <<'PY'
import sys
out = []
for record in open(sys.argv[1], encoding="utf-8").read().split("\n\n"):
    lines = [l for l in record.split("\n") if l]
    if not lines or lines[0] in ("dn: dc=example,dc=com", "dn: cn=groups,dc=example,dc=com"): continue
    out.append("\n".join(l for l in lines if not l.lower().startswith(("memberof:", "employeenumber:"))))
print("\n\n".join(out) + "\n")
PY
t0=$SECONDS
ldapadd -x -c -H "ldap://127.0.0.1:$LOADPORT" -D $ADMIN -w "$RPW" -f "$DIR/load.ldif" > "$DIR/ldapadd.log" 2>&1 || true
log "loaded $(grep -c '^adding new entry' "$DIR/ldapadd.log") entries into SQLite in $((SECONDS - t0)) s"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true; unset 'PIDS[-1]'

# --- PostgreSQL: a private durable cluster, the same directory moved into it -----------------
export PGPASSWORD=Pg-bench-pass-1
mkdir -p "$DIR/pg"
echo "$PGPASSWORD" > "$DIR/pg/pwfile"
[ "$(id -u)" = 0 ] && chown -R postgres "$DIR/pg"
as_pg "$PGBIN/initdb" -D "$DIR/pg/data" -U roster --auth=scram-sha-256 --pwfile="$DIR/pg/pwfile" -E UTF8 --no-locale >/dev/null
PGPORT=$(free_port)
as_pg "$PGBIN/pg_ctl" -D "$DIR/pg/data" -l "$DIR/pg/log" -w -t 30 \
    -o "-p $PGPORT -k $DIR/pg -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U roster -d postgres -X -q -c "CREATE DATABASE roster" >/dev/null
URL=postgres://roster@127.0.0.1:$PGPORT/roster
log "postgresql $("$PGBIN/postgres" --version | awk '{print $3}') on $PGPORT: fsync=$("$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U roster -d roster -XAtc 'SHOW fsync'), synchronous_commit=$("$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U roster -d roster -XAtc 'SHOW synchronous_commit')"
log "$("$ROSTER" migrate --from "$DIR/sqlite.db" --to "$URL" | tail -1)"

APORT=$(free_port); BPORT=$(free_port); SPORT=$(free_port)
serve "$URL" "$APORT" --node-id node-a
serve "$URL" "$BPORT" --node-id node-b
serve "$DIR/sqlite.db" "$SPORT" --node-id sqlite
APID=${PIDS[-3]}; BPID=${PIDS[-2]}; SPID=${PIDS[-1]}
TCK=$(getconf CLK_TCK)
cpu() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo "$t"; }
load() {  # load URI WORKLOAD CLIENTS [PASSWORD] -> ldload's line
  "$PY" "$B/ldload.py" --uri "$1" --binddn $ADMIN --password "${4:-$RPW}" --users "$USERS" --workload "$2" \
      --clients "$3" --duration "$DURATION" 2>>"$DIR/ldload.err"
}
ops() { sed -n 's/.*ops\/s= *\([0-9.]*\).*/\1/p' <<<"$1"; }
pcts() { sed -n 's/.*\(p50=[^ ]*\) p95=[^ ]* \(p99=[^ ]*\).*/\1 \2/p' <<<"$1"; }

# --- (a) writes ------------------------------------------------------------------------------
slapd_ctl start "$MEMBERS" >/dev/null
SLAPD_PID=$(slapd_ctl pid)
for n in $CLIENTS; do
  half=$((n / 2))
  c0=$(cpu "$SLAPD_PID"); s=$(load "ldap://127.0.0.1:$SLAPD_PORT" modify "$n" secret); c1=$(cpu "$SLAPD_PID")
  slapd_ops=$(ops "$s")
  log "(a) slapd modify c$n: $slapd_ops ops/s $(pcts "$s") server_cpu=$(echo "scale=1; ($c1 - $c0) / $TCK" | bc)s"
  c0=$(cpu "$APID" "$BPID")
  load "ldap://127.0.0.1:$APORT" modify "$half" > "$DIR/a.out" &
  la=$!
  load "ldap://127.0.0.1:$BPORT" modify "$half" > "$DIR/b.out" &
  lb=$!
  wait $la $lb
  c1=$(cpu "$APID" "$BPID")
  a_ops=$(ops "$(cat "$DIR/a.out")"); b_ops=$(ops "$(cat "$DIR/b.out")")
  both=$(echo "$a_ops + $b_ops" | bc)
  log "(a) roster 2 nodes modify c$half+$half: $both ops/s (A $a_ops $(pcts "$(cat "$DIR/a.out")"), B $b_ops $(pcts "$(cat "$DIR/b.out")")) server_cpu=$(echo "scale=1; ($c1 - $c0) / $TCK" | bc)s ratio_vs_slapd=$(echo "scale=2; $both / $slapd_ops" | bc)"
  s=$(load "ldap://127.0.0.1:$APORT" modify "$n")
  log "(a) roster 1 node  modify c$n: $(ops "$s") ops/s $(pcts "$s") ratio_vs_slapd=$(echo "scale=2; $(ops "$s") / $slapd_ops" | bc)"
done
slapd_ctl stop >/dev/null
grep -c . "$DIR/ldload.err" >/dev/null 2>&1 && log "ldload errors: $(sort "$DIR/ldload.err" | uniq -c | head -3 | tr '\n' ' ')"

# --- (b) lag ---------------------------------------------------------------------------------
log "(b) $("$PY" "$HERE/lag.py" --writer "ldap://127.0.0.1:$APORT" --reader "ldap://127.0.0.1:$BPORT" \
    --binddn $ADMIN --password "$RPW" --users "$USERS" --writes "$LAG_WRITES")"

# --- (c) reads -------------------------------------------------------------------------------
for w in uid substr; do
  c0=$(cpu "$APID"); p=$(load "ldap://127.0.0.1:$APORT" "$w" "$READ_CLIENTS"); c1=$(cpu "$APID")
  pcpu=$(echo "scale=1; ($c1 - $c0) / $TCK" | bc)
  c0=$(cpu "$SPID"); q=$(load "ldap://127.0.0.1:$SPORT" "$w" "$READ_CLIENTS"); c1=$(cpu "$SPID")
  log "(c) $w c$READ_CLIENTS: postgresql node $(ops "$p") ops/s $(pcts "$p") server_cpu=${pcpu}s; sqlite node $(ops "$q") ops/s $(pcts "$q") server_cpu=$(echo "scale=1; ($c1 - $c0) / $TCK" | bc)s; ratio pg/sqlite=$(echo "scale=2; $(ops "$p") / $(ops "$q")" | bc)"
done
log "# end $(date -u +%FT%TZ) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
