# The two commands of the README. Each installs what is missing, builds
# (Release, -j2) and then runs the main example or the whole test suite.
.PHONY: all run test build deps

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@scripts/build.sh

# The main job: the current flagship example.
run: build
	build/tools/nnc run examples/tensors.nn

# The whole test suite; ends with "N passed, N failed".
test: build
	@scripts/run-tests.sh
