# Activation Discovery: make nightly (whole pipeline on SampleData -> Reports/), make test.
SWIFT ?= swift
CSV_HEADER := /usr/include/csv.h
ZLIB_HEADER := /usr/include/zlib.h
SSL_HEADER := /usr/include/openssl/evp.h
BIN := .build/release/activation
# Speed flags live here, not in Package.swift: SwiftPM refuses `unsafeFlags` in a package that another depends on.
# Release builds skip the run-time exclusivity checks on class properties (5% of ingest time in the profile); the
# tests keep them, so an overlapping access still traps there, but are optimised: the suite runs the pipeline
# thousands of times (fuzzing, kill tests), and unoptimised Swift is five to ten times slower at it.
# Release builds also optimise across modules: with one module per stage, the event reader (Ingest) calls the
# accumulator (Features) through generic code that only cross-module optimisation specialises; without it the
# pipeline lost about a tenth of its ingest speed to the split.
RELEASE_FLAGS := -Xswiftc -enforce-exclusivity=unchecked -Xswiftc -cross-module-optimization
TEST_FLAGS := -Xswiftc -O
SAMPLE := SampleData

.PHONY: all build nightly nightly-dirty test test-deps test-spark fuzz bench sample clean deps check-dependent

all: build

# The system C libraries, libcsv (parsing), zlib (*.csv.gz exports) and libcrypto (SHA-256 of inputs): installed
# when a header is missing, so a fresh machine needs no manual step.
deps:
	@if [ ! -f $(CSV_HEADER) ] || [ ! -f $(ZLIB_HEADER) ] || [ ! -f $(SSL_HEADER) ]; then \
		echo "installing libcsv-dev, zlib1g-dev and libssl-dev (a header is missing)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libcsv-dev zlib1g-dev libssl-dev; \
	fi

build: deps
	$(SWIFT) build -c release --product activation $(RELEASE_FLAGS)

nightly: build
	$(BIN) run --config $(SAMPLE)/activation.toml

# The damaged sample set, to see rejects and row accounting (reports in Reports/dirty/, not committed).
nightly-dirty: build
	$(BIN) run --config $(SAMPLE)/dirty/activation.toml --out Reports/dirty

# The chart test renders every SVG with a real renderer: rsvg-convert from Debian's librsvg2-bin; the HTML report is
# opened in a real headless browser: Debian's chromium (screenshots in .build/report-screenshots/).
test-deps:
	@if ! command -v rsvg-convert >/dev/null 2>&1; then \
		echo "installing librsvg2-bin (rsvg-convert, for the chart rendering test)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq librsvg2-bin; \
	fi
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "installing chromium (headless, for the HTML report test)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

# DuckDB (PyPI) in a private virtual environment: the test that runs `activation sql` on SampleData uses it.
VENV := .venv
DUCKDB_VERSION := 2.0.0
$(VENV)/.duckdb-$(DUCKDB_VERSION):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q duckdb==$(DUCKDB_VERSION)
	touch $@

test: deps test-deps $(VENV)/.duckdb-$(DUCKDB_VERSION)
	ACTIVATION_TEST_PYTHON=$(CURDIR)/$(VENV)/bin/python $(SWIFT) test $(TEST_FLAGS)
	$(MAKE) check-dependent

# The differential fuzzer of export shapes with 10,000 cases (`make test` runs 1,000): random export sets written in
# random shapes must give byte-identical behaviours.csv and thresholds.csv. ACTIVATION_FUZZ_SEED picks another run.
FUZZ_CASES ?= 10000
fuzz: deps
	ACTIVATION_FUZZ_CASES=$(FUZZ_CASES) $(SWIFT) test $(TEST_FLAGS) --filter ExportShapeFuzzTests

# A package that depends on this one by path (Tests/DependentPackage) must build and run the pipeline through the
# public API: SwiftPM refuses a dependency whose manifest has unsafeFlags.
check-dependent:
	cd Tests/DependentPackage && $(SWIFT) build --scratch-path ../../.build-dependent
	.build-dependent/debug/DependentCheck SampleData/customers.csv SampleData/events "$$(mktemp -d)/reports" 

# The same check with Spark in local mode (PySpark from PyPI, the machine's Java 17): slow, so not part of `make test`.
$(VENV)/.pyspark:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q pyspark==3.5.3
	touch $@

test-spark: build $(VENV)/.pyspark
	bash Tests/spark-check.sh $(VENV)/bin/python

# Speed and memory against cat, libcsv alone, a hand-written DuckDB query, Polars, the generated SQL on DuckDB and
# pandas + scikit-learn, on two single-export shapes and the monthly set: prints the targets of issue 19 and writes
# Benchmarks/RESULTS.md. SCALE=0.1 (smaller sets), RUNS=1, MEMORY=1 (100,000 x 200), BIG=1 (1,000,000 accounts).
bench: build
	bash Benchmarks/bench.sh

sample: build
	$(BIN) sample --out $(SAMPLE)

clean:
	rm -rf .build
