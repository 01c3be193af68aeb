# The two commands of the README. Each installs what is missing, builds
# (Release, -j2) and then runs the main example or the whole test suite.
.PHONY: all run test build deps sanitize fuzz

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@scripts/build.sh

# The main job: train the Fashion-MNIST MLP (acceptance program 4 of the
# language brief) for 5 epochs and save it to fashion_mlp.safetensors.
run: build
	build/tools/nnc run examples/fashion_mlp.nn

# The whole test suite; ends with "N passed, N failed".
test: build
	@scripts/run-tests.sh

# The ASan + UBSan build (clang-19, build-sanitize/) running the whole suite.
sanitize: deps
	@scripts/sanitize.sh

# Every fuzz target for 10 minutes (FUZZ_SECONDS), from its seed corpus.
FUZZ_SECONDS ?= 600
fuzz: deps
	@scripts/fuzz.sh $(FUZZ_SECONDS)
