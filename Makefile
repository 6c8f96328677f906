# mixperf: the top-level entry points. CMake does the building; this file names the jobs.
#   make deps    install every Debian/npm dependency that is missing (idempotent)
#   make         build build/release/mixperf
#   make check   every test: release build, ASan+UBSan build with unit and end-to-end tests, fuzzers
#   make bench   benchmarks against peers measured in the same run (wrk, Locust)
#   make demo    the main job on the bundled default

JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
BUILD       ?= build
FUZZ_SECONDS ?= 10
CMAKE_FLAGS ?=

RELEASE := $(BUILD)/release
ASAN    := $(BUILD)/asan
FUZZ    := $(BUILD)/fuzz
MIXPERF := $(RELEASE)/mixperf

.PHONY: all deps build asan check unit e2e fuzz bench demo format format-check clean

all: build

deps:
	@sh scripts/deps.sh

build: deps
	@cmake -S . -B $(RELEASE) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(RELEASE) -j $(JOBS)

asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DMP_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)

# The test command (README, .ci/run). Order: cheapest signal first.
check: format-check build asan
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory fuzz

unit: asan
	cd $(ASAN) && ctest --output-on-failure -L unit -j $(JOBS)

e2e: asan
	cd $(ASAN) && ctest --output-on-failure -L e2e

# Each libFuzzer target runs for FUZZ_SECONDS from its seed corpus (tests/fuzz/corpus/NAME).
fuzz: deps
	@cmake -S . -B $(FUZZ) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DMP_FUZZ=ON \
	  $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(FUZZ) -j $(JOBS)
	@set -e; for t in $(FUZZ)/fuzz_*; do \
	  [ -x "$$t" ] || continue; name=$$(basename $$t); \
	  mkdir -p $(FUZZ)/corpus/$$name; \
	  echo "fuzz: $$name for $(FUZZ_SECONDS)s"; \
	  $$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 -artifact_prefix=$(FUZZ)/ $(FUZZ)/corpus/$$name \
	    tests/fuzz/corpus/$$name 2>$(FUZZ)/$$name.log || { tail -50 $(FUZZ)/$$name.log; exit 1; }; \
	done

bench: build
	@sh bench/run.sh $(MIXPERF)

demo: build
	@sh scripts/demo.sh $(MIXPERF)

FORMAT_FILES = $(shell git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 2>/dev/null)

format:
	clang-format -i $(FORMAT_FILES)

format-check: deps
	@clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD)
