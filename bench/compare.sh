#!/usr/bin/env bash
# Compares mandate binaries on a shared machine by the per-round ratio (bench/README.md):
# each round runs the plain scan and one state lint per binary in a random order, and divides
# each lint's wall time by the scan's; prints p10, median and p90 of each binary's ratios.
#
#   bench/compare.sh OLD_BIN NEW_BIN [MORE_BINS...]      # ROUNDS=40 by default
#   MANDATE_THREADS=1 bench/compare.sh OLD_BIN NEW_BIN   # one thread
#
# Needs the data bench/run.sh generates (target/bench-data/) and examples/csv_scan built.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROUNDS="${ROUNDS:-40}"
DATA="${DATA:-$ROOT/target/bench-data/state}"
SCAN="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/csv_scan"
POLICY=policies/lausd/2023-24/ref-1028.19.policy
[[ -x $SCAN && -f $DATA/student.csv ]] || {
    echo "run bench/run.sh once first (it builds csv_scan and generates $DATA)" >&2
    exit 2
}
(($# >= 2)) || {
    echo "usage: bench/compare.sh OLD_BIN NEW_BIN [MORE_BINS...]" >&2
    exit 2
}
BINS=("$@")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ms() {
    local start end status=0
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || status=$?
    end=$(date +%s%N)
    ((status <= 1)) || { echo "failed (exit $status): $*" >&2; exit 1; }
    echo $(((end - start) / 1000000))
}

echo "comparing ${#BINS[@]} binaries, $ROUNDS rounds, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((r = 0; r < ROUNDS; r++)); do
    declare -A T=()
    for item in $(printf '%s\n' scan "${!BINS[@]}" | shuf); do
        if [[ $item == scan ]]; then
            T[scan]=$(ms "$SCAN" "$DATA/student.csv")
        else
            T[$item]=$(ms "${BINS[$item]}" lint "$POLICY" "$DATA" --format json --as-of 2024-02-15)
        fi
    done
    for i in "${!BINS[@]}"; do
        awk -v a="${T[$i]}" -v s="${T[scan]}" 'BEGIN { printf "%.4f\n", a / s }' >>"$TMP/ratio$i"
        echo "${T[$i]}" >>"$TMP/wall$i"
    done
    unset T
done

# q FILE P: the P-quantile (0..1) of the numbers in FILE, nearest rank.
q() { sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END { printf "%s", v[int((NR - 1) * p + 0.5) + 1] }'; }
printf '%-40s %8s %8s %8s %12s\n' binary p10 median p90 "median wall"
for i in "${!BINS[@]}"; do
    printf '%-40s %7.2fx %7.2fx %7.2fx %10.3f s\n' "${BINS[$i]}" "$(q "$TMP/ratio$i" 0.1)" \
        "$(q "$TMP/ratio$i" 0.5)" "$(q "$TMP/ratio$i" 0.9)" "$(awk -v m="$(q "$TMP/wall$i" 0.5)" 'BEGIN { print m / 1000 }')"
done
