#!/bin/sh
# Seeds the fuzz corpus with every policy file in the repository (run from the repository root).
set -eu
mkdir -p fuzz/corpus/check
find policies tests/fixtures -name '*.policy' | while read -r f; do
  cp "$f" "fuzz/corpus/check/$(echo "$f" | tr '/' '_')"
done
ls fuzz/corpus/check | wc -l
