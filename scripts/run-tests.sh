#!/usr/bin/env bash
# Runs the whole test suite (lit/FileCheck tests and the GoogleTest unit
# tests, all through lit) and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
/usr/bin/python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv build/test "$@" | tee "$log"
status=${PIPESTATUS[0]}
count() { sed -n "s/^ *$1 *: *\([0-9]*\).*/\1/p" "$log" | head -1; }
passed=$(( $(count Passed || true) + 0 ))
failed=$(( $(count Failed || true) + $(count Unresolved || true) + $(count "Timed Out" || true) + $(count "Unexpectedly Passed" || true) + 0 ))
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
