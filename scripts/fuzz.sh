#!/usr/bin/env bash
# Coverage-guided fuzzing of every input nnc reads: runs each libFuzzer
# target of test/fuzz (built by scripts/sanitize.sh in build-sanitize/, with
# ASan and UBSan) for SECONDS (default 60) from its seed corpus. The corpus
# grows in build-sanitize/fuzz/corpus/TARGET; what crashes lands in
# build-sanitize/fuzz/findings/TARGET (a finding fails the run; copy it into
# test/fuzz/corpus/TARGET as a regression input once fixed).
#   scripts/fuzz.sh [SECONDS] [TARGET...]        `make fuzz`: 600 s each
# NNC_FUZZ_SEED=N fixes libFuzzer's seed (CI does, so that a run can be
# repeated); 0, the default, draws one.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(frontend ir_parser safetensors npy npz idx csv cache_entry)
build=build-sanitize
[ -x "$build/test/fuzz/fuzz_frontend" ] || JOBS=${JOBS:-2} scripts/sanitize.sh --build-only || exit 1

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/scripts/lsan.supp:print_suppressions=0
failed=0
for t in "${targets[@]}"; do
  corpus=$build/fuzz/corpus/$t findings=$build/fuzz/findings/$t
  mkdir -p "$corpus" "$findings"
  if [ ! -d "test/fuzz/corpus/$t" ]; then
    failed=$((failed + 1))
    echo "fuzz $t: no seed corpus test/fuzz/corpus/$t (is it committed?)"
    continue
  fi
  log=$build/fuzz/$t.log
  "$build/test/fuzz/fuzz_$t" -seed="${NNC_FUZZ_SEED:-0}" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=65536 \
      -artifact_prefix="$findings/" -print_final_stats=1 "$corpus" "test/fuzz/corpus/$t" > "$log" 2>&1
  status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  if [ $status -ne 0 ]; then
    failed=$((failed + 1))
    echo "fuzz $t: FINDING after ${runs:-?} runs (${cov:-}); see $log and $findings"
    grep -m3 -E "ERROR|SUMMARY|runtime error" "$log"
  else
    echo "fuzz $t: ${runs:-?} runs in ${seconds} s, ${cov:-no coverage line}, no finding"
  fi
done
echo "fuzz: $(( ${#targets[@]} - failed )) passed, $failed failed"
[ $failed -eq 0 ]
