#!/usr/bin/env bash
# Prints one line, "N passed, N failed", from the TRX files of a test run. A test that did not run
# (skipped, aborted, timed out) counts as failed: only a test that ran and passed is a pass.
# usage: scripts/test-summary.sh TestResults
set -uo pipefail
dir="${1:-TestResults}"
passed=0; failed=0; found=0
for trx in "$dir"/*.trx; do
  [ -e "$trx" ] || continue
  found=1
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  total=$(get total); ok=$(get passed)
  passed=$((passed + ok)); failed=$((failed + total - ok))
done
[ "$found" -eq 0 ] && echo "No test results in $dir: the build or the test run failed before any test finished."
echo "$passed passed, $failed failed"
[ "$found" -eq 1 ] && [ "$failed" -eq 0 ]
