#!/bin/bash
# A quick side run of the bind and connection workloads against one running server (not the
# harness's table: compare.sh is that). Used for BENCHMARKS.md "session 9".
#
#   Benchmarks/compare/quick.sh LABEL SERVER-PID PORT BIND-DN PASSWORD MEMBERS
#
# Needs the harness's data under $BENCH_WORK/data (compare.sh or ../shared/bench/bench.sh leave
# users-MEMBERS.tsv, binds-MEMBERS.txt, accounts-MEMBERS.txt and ldclt-object.txt there).
# Prints, per workload, ops/s and the server's CPU µs per operation (from /proc/PID/stat).
# Env: T seconds per cell (10, a multiple of 10), BENCH_DIR (../shared/bench).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
B=${BENCH_DIR:-$HERE/../../../shared/bench}
L=$1 PID=$2 PORT=$3 DN=$4 PW=$5 N=$6 D=${BENCH_WORK:-/tmp/roster-bench}/data T=${T:-10}
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' /proc/$PID/stat; }
per_op() { echo $(( ($2 - $1) * 1000000 / TCK / ($3 + 1) )); }
for c in 4 16; do
  c0=$(cpu); r=$(/usr/bin/python3 "$B/ldload.py" --uri ldap://127.0.0.1:$PORT --binddn "$DN" --password "$PW" \
      --users $D/users-$N.tsv --workload bind --clients $c --duration $T 2>/dev/null | tail -1 | grep -o 'ops=[ 0-9]*' | tr -d ' ' | cut -d= -f2); c1=$(cpu)
  echo "$L bind-py/c$c ops/s=$((r / T)) cpu_us/op=$(per_op $c0 $c1 $r)"
done
for c in 4 16; do
  c0=$(cpu); out=$(ldclt -h 127.0.0.1 -p $PORT -n $c -N $((T/10)) -q -I 32 -e bindeach,bindonly -e "randombinddnfromfile=$D/binds-$N.txt" 2>&1 | grep "Global average"); c1=$(cpu)
  tot=$(echo "$out" | grep -o 'total: *[0-9]*' | grep -o '[0-9]*$')
  echo "$L connbind-ldclt/c$c ops/s=$((tot / T)) cpu_us/op=$(per_op $c0 $c1 $tot)"
done
c0=$(cpu); out=$(ldclt -h 127.0.0.1 -p $PORT -n 16 -N $((T/10)) -q -I 32 -D "$DN" -w "$PW" -b dc=example,dc=com -e esearch \
    -e "object=$D/ldclt-object.txt" -e "rdn=uid:[A=RNDFROMFILE($D/accounts-$N.txt)]" 2>&1 | grep "Global average"); c1=$(cpu)
tot=$(echo "$out" | grep -o 'total: *[0-9]*' | grep -o '[0-9]*$')
echo "$L uid-ldclt/c16 ops/s=$((tot / T)) cpu_us/op=$(per_op $c0 $c1 $tot)"
