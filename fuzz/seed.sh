#!/bin/sh
# Seeds the fuzz corpora (run from the repository root): every policy file for `check`; every
# small CSV, YAML and JSON data file for `load`, behind the byte that picks its format
# (0 CSV, 1 YAML, 2 JSON).
set -eu
mkdir -p fuzz/corpus/check fuzz/corpus/load
find policies tests/fixtures -name '*.policy' | while read -r f; do
  cp "$f" "fuzz/corpus/check/$(echo "$f" | tr '/' '_')"
done
find tests/fixtures samples -size -8k \( -name '*.csv' -o -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) |
  while read -r f; do
    case "$f" in
      *.csv) pick='\000' ;;
      *.json) pick='\002' ;;
      *) pick='\001' ;;
    esac
    { printf "$pick"; cat "$f"; } > "fuzz/corpus/load/$(echo "$f" | tr '/' '_')"
  done
ls fuzz/corpus/check | wc -l
ls fuzz/corpus/load | wc -l
