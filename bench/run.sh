#!/bin/sh
# The nnc benchmarks in one command: bench/run.sh [--quick] [options of bench/run.py]
exec /usr/bin/python3 "$(dirname "$0")/run.py" "$@"
