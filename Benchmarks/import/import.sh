#!/bin/bash
# The spreadsheet import benchmark (issue 10): MEMBERS rows of the generated organisation
# (../shared/bench/gen_org.py --csv, the template's columns with {SSHA} passwords) as an .xlsx
# written by `roster export`, imported into an empty directory; then the cost of a row against
# the size of the directory: the first 10 000 rows into an empty directory vs the last 10 000
# into one already holding the rest.
#   import.sh [MEMBERS]        (default 100000; needs a release build: swift build -c release --product roster --build-path .build-rel)
# slapadd of the same members: ../shared/bench/run_slapd.sh start MEMBERS prints its time.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BENCH=${BENCH_DIR:-$ROOT/../shared/bench}
MEMBERS=${1:-100000}
WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/roster-bench}/import
ROSTER=${ROSTER:-$ROOT/.build-rel/release/roster}
rm -rf "$WORK"; mkdir -p "$WORK"; cd "$WORK"
echo Secret-admin-1 > admin.pw
fresh() { rm -f "$1"*; "$ROSTER" init --database "$1" --base dc=example,dc=com --admin-password-file admin.pw >/dev/null; }
# The generator writes a few rows the template's rules refuse (a WeChat id of 21 characters): the
# import reports them and exits 1, which is not a failure of the benchmark.
import_rows() { "$ROSTER" import --max-size 67108864 "$@" || [ $? -eq 1 ]; }
timed_import() { /usr/bin/time -f "elapsed %e s, peak RSS %M KiB" "$ROSTER" import --max-size 67108864 "$@" | tail -n 3 || [ "${PIPESTATUS[0]}" -eq 1 ]; }

python3 "$BENCH/gen_org.py" --members "$MEMBERS" --csv org.csv
# The xlsx: the CSV imported once, exported in the template (what an admin would edit and import).
fresh staging.sqlite
import_rows --database staging.sqlite org.csv >/dev/null
"$ROSTER" export --database staging.sqlite org.xlsx
ls -l org.csv org.xlsx

echo "== $MEMBERS rows (xlsx) into an empty directory"
fresh full.sqlite
timed_import --database full.sqlite org.xlsx

if [ "$MEMBERS" -gt 20000 ]; then
  head -n 1 org.csv > first.csv; sed -n '2,10001p' org.csv >> first.csv
  head -n "$((MEMBERS - 10000 + 1))" org.csv > rest.csv
  head -n 1 org.csv > last.csv; tail -n 10000 org.csv >> last.csv
  echo "== the first 10 000 rows into an empty directory"
  fresh first.sqlite
  timed_import --database first.sqlite first.csv
  echo "== the last 10 000 rows into a directory of $((MEMBERS - 10000))"
  fresh last.sqlite
  import_rows --database last.sqlite rest.csv >/dev/null
  timed_import --database last.sqlite last.csv
fi
