#!/usr/bin/env bash
# Times `mandate lint` against the practical floor, a plain single-pass CSV scan of the same
# student.csv. Not part of `cargo test`. See bench/README.md.
#
#   bench/run.sh                          # best of 3 rounds
#   RUNS=7 bench/run.sh                   # best of 7 (advisable on a shared machine)
#   MANDATE_BIN=path/to/mandate bench/run.sh   # time another build (e.g. an older commit's)
#
# Data is generated (seeded) into target/bench-data/ on the first run and reused afterwards.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
RUNS="${RUNS:-3}"
SEED="${SEED:-1}"
POLICY=policies/lausd/2023-24/ref-1028.19.policy
AS_OF=2024-02-15
DATA="$ROOT/target/bench-data"
BIN="${MANDATE_BIN:-$CARGO_TARGET_DIR/release/mandate}"
SCAN="$CARGO_TARGET_DIR/release/examples/csv_scan"

echo "building (release)..." >&2
cargo build --release --quiet --bin mandate --example csv_scan

# gen NAME SCHOOLS STUDENTS: writes $DATA/NAME unless a marker says it holds exactly this data.
gen() {
    local dir="$DATA/$1" marker="schools=$2 students=$3 seed=$SEED gen=2"
    if [[ -f "$dir/.generated" && "$(cat "$dir/.generated")" == "$marker" ]]; then
        return
    fi
    echo "generating $1 ($2 schools, $3 students, seed $SEED)..." >&2
    rm -rf "$dir"
    "$BIN" gen "$dir" --schools "$2" --students "$3" --seed "$SEED" >&2
    echo "$marker" >"$dir/.generated"
}
gen state 10000 5000000
gen district 1000 500000

# Peak memory: GNU time if present, else Python's getrusage of the child, else nothing.
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%M' true >/dev/null 2>&1; then
    RSS_TOOL=gnu-time
elif command -v python3 >/dev/null 2>&1; then
    RSS_TOOL=python
else
    RSS_TOOL=none
    echo "note: no /usr/bin/time (apt-get install -y time) nor python3: peak memory not measured" >&2
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# once CMD...: runs CMD (stdout to /dev/null) and prints "SECONDS MAXRSS_KB". Exit status 0 and
# 1 are accepted (lint exits 1 when it finds errors); anything else stops the benchmark.
once() {
    local start end status=0 rss=-
    start=$(date +%s%N)
    case $RSS_TOOL in
        gnu-time) /usr/bin/time -f '%M' -o "$TMP/rss" "$@" >/dev/null 2>"$TMP/err" || status=$? ;;
        python) python3 -c '
import resource, subprocess, sys
r = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=open(sys.argv[1] + "/err", "w"))
open(sys.argv[1] + "/rss", "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(r.returncode)' "$TMP" "$@" || status=$? ;;
        none) "$@" >/dev/null 2>"$TMP/err" || status=$? ;;
    esac
    end=$(date +%s%N)
    if ((status > 1)); then
        echo "failed (exit $status): $*" >&2
        cat "$TMP/err" >&2
        exit 1
    fi
    [[ -f "$TMP/rss" ]] && rss=$(tail -n 1 "$TMP/rss")
    echo "$(((end - start) / 1000000)) $rss"
}

# measure LABEL CMD...: one run; keeps the best wall time and the largest peak RSS per label.
declare -A SECS RSS
measure() {
    local label=$1 ms rss
    shift
    read -r ms rss < <(once "$@")
    if [[ -z ${SECS[$label]:-} ]] || ((ms < SECS[$label])); then SECS[$label]=$ms; fi
    if [[ $rss != - ]] && ((rss > ${RSS[$label]:-0})); then RSS[$label]=$rss; fi
}

# Rounds interleave the commands, so a burst of other work on a shared machine hits the scan
# and the lint alike; the best of the rounds is kept.
echo "timing, best of $RUNS rounds..." >&2
for ((round = 0; round < RUNS; round++)); do
    measure scan-state "$SCAN" "$DATA/state/student.csv"
    measure lint-state "$BIN" lint "$POLICY" "$DATA/state" --format json --as-of "$AS_OF"
    measure lint-state-1 env MANDATE_THREADS=1 "$BIN" lint "$POLICY" "$DATA/state" --format json --as-of "$AS_OF"
    measure scan-district "$SCAN" "$DATA/district/student.csv"
    measure lint-district "$BIN" lint "$POLICY" "$DATA/district" --format json --as-of "$AS_OF"
done

secs() { awk -v ms="${SECS[$1]}" 'BEGIN { printf "%.3f", ms / 1000 }'; }
mb() { if ((${RSS[$1]:-0} > 0)); then awk -v kb="${RSS[$1]}" 'BEGIN { printf "%.0f MB", kb / 1024 }'; else echo "n/a"; fi; }
ratio() { awk -v a="${SECS[$1]}" -v b="${SECS[$2]}" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }'; }
size() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f MB", b / 1e6 }'; }

echo
echo "mandate bench: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+dirty'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), best of $RUNS rounds (wall time of the whole process)"
echo "binary: $BIN; threads: ${MANDATE_THREADS:-all available} (MANDATE_THREADS); lint output to /dev/null"
echo "state:    $(wc -l <"$DATA/state/student.csv") lines, $(size "$DATA/state/student.csv") student.csv"
echo "district: $(wc -l <"$DATA/district/student.csv") lines, $(size "$DATA/district/student.csv") student.csv"
echo
printf '%-28s %9s %8s %10s  %s\n' "run" "wall" "vs scan" "peak RSS" "target"
printf '%-28s %9s %8s %10s  %s\n' "----------------------------" "---------" "--------" "----------" "-------------------------"
printf '%-28s %8ss %8s %10s  %s\n' "scan state student.csv" "$(secs scan-state)" "1.00x" "$(mb scan-state)" "(the floor)"
printf '%-28s %8ss %8s %10s  %s\n' "lint state (REF-1028.19)" "$(secs lint-state)" "$(ratio lint-state scan-state)" "$(mb lint-state)" "<= 1.20x the scan, < 100 MB"
printf '%-28s %8ss %8s %10s  %s\n' "  same, one thread" "$(secs lint-state-1)" "$(ratio lint-state-1 scan-state)" "$(mb lint-state-1)" "(MANDATE_THREADS=1)"
printf '%-28s %8ss %8s %10s  %s\n' "scan district student.csv" "$(secs scan-district)" "1.00x" "$(mb scan-district)" "(the floor)"
printf '%-28s %8ss %8s %10s  %s\n' "lint district (REF-1028.19)" "$(secs lint-district)" "$(ratio lint-district scan-district)" "$(mb lint-district)" "< 0.3 s"
