#!/bin/bash
# The spreadsheet import benchmark (issue 10): MEMBERS rows of the generated organisation
# (../shared/bench/gen_org.py --csv, the template's columns with {SSHA} passwords) as an .xlsx
# written by `roster export`, imported into an empty directory; then the cost of a row against
# the size of the directory: the first 10 000 rows into an empty directory vs the last 10 000
# into one already holding the rest.
#   import.sh [MEMBERS]        (default 100000; needs a release build: swift build -c release --product roster)
# slapadd of the same members: ../shared/bench/run_slapd.sh start MEMBERS prints its time.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BENCH=${BENCH_DIR:-$ROOT/../shared/bench}
MEMBERS=${1:-100000}
WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/roster-bench}/import
ROSTER=${ROSTER:-$ROOT/.build/release/roster}
rm -rf "$WORK"; mkdir -p "$WORK"; cd "$WORK"
echo Secret-admin-1 > admin.pw
fresh() { rm -f "$1"*; "$ROSTER" init --database "$1" --base dc=example,dc=com --admin-password-file admin.pw >/dev/null; }

python3 "$BENCH/gen_org.py" --members "$MEMBERS" --csv org.csv
# The xlsx: the CSV imported once, exported in the template (what an admin would edit and import).
fresh staging.sqlite
"$ROSTER" import --max-size 67108864 --database staging.sqlite org.csv >/dev/null
"$ROSTER" export --database staging.sqlite org.xlsx
ls -l org.csv org.xlsx

echo "== $MEMBERS rows (xlsx) into an empty directory"
fresh full.sqlite
/usr/bin/time -f "elapsed %e s, peak RSS %M KiB" "$ROSTER" import --max-size 67108864 --database full.sqlite org.xlsx

if [ "$MEMBERS" -gt 20000 ]; then
  head -n 1 org.csv > first.csv; sed -n '2,10001p' org.csv >> first.csv
  head -n "$((MEMBERS - 10000 + 1))" org.csv > rest.csv
  head -n 1 org.csv > last.csv; tail -n 10000 org.csv >> last.csv
  echo "== the first 10 000 rows into an empty directory"
  fresh first.sqlite
  /usr/bin/time -f "elapsed %e s, peak RSS %M KiB" "$ROSTER" import --max-size 67108864 --database first.sqlite first.csv
  echo "== the last 10 000 rows into a directory of $((MEMBERS - 10000))"
  fresh last.sqlite
  "$ROSTER" import --max-size 67108864 --database last.sqlite rest.csv >/dev/null
  /usr/bin/time -f "elapsed %e s, peak RSS %M KiB" "$ROSTER" import --max-size 67108864 --database last.sqlite last.csv
fi
