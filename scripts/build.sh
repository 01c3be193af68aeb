#!/usr/bin/env bash
# Configures (once) and builds nnc in build/ (Release, 2 jobs by default).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-2}
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
fi
cmake --build build -j"$jobs"
