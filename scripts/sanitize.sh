#!/usr/bin/env bash
# The sanitizer run of CI: builds nnc with clang-19, AddressSanitizer (leak
# checking on) and UndefinedBehaviorSanitizer (float-cast-overflow included,
# every finding fatal) in build-sanitize/ — the fuzz targets of test/fuzz
# become libFuzzer binaries there (scripts/fuzz.sh) — then runs the whole
# lit and unit suite in it. Ends with "sanitizer: N passed, N failed".
# Tests that link libraries with `nnc compile` are UNSUPPORTED under it
# (test/lit.cfg.py).   scripts/sanitize.sh [--build-only] [lit options]
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-2}
if [ ! -f build-sanitize/build.ninja ]; then
  # -O1 (asserts on): sanitized code at -O3 takes several times longer to build.
  CC=clang-19 CXX=clang++-19 cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Release -DNNC_SANITIZE=ON \
        -DCMAKE_C_FLAGS_RELEASE=-O1 -DCMAKE_CXX_FLAGS_RELEASE=-O1 \
        -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null || exit 1
fi
cmake --build build-sanitize -j"$jobs" || exit 1
if [ "${1:-}" = "--build-only" ]; then exit 0; fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=0:strict_string_checks=1:check_initialization_order=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/scripts/lsan.supp:print_suppressions=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
/usr/bin/python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv build-sanitize/test "$@" | tee "$log"
status=${PIPESTATUS[0]}
count() { sed -n "s/^ *$1 *: *\([0-9]*\).*/\1/p" "$log" | head -1; }
passed=$(( $(count Passed || true) + 0 ))
failed=$(( $(count Failed || true) + $(count Unresolved || true) + $(count "Timed Out" || true) + 0 ))
echo "sanitizer: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
