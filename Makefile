# Activation Discovery: make nightly (whole pipeline on SampleData -> Reports/), make test.
SWIFT ?= swift
CSV_HEADER := /usr/include/csv.h
BIN := .build/release/activation
SAMPLE := SampleData

.PHONY: all build nightly test sample clean deps

all: build

# libcsv is the one system dependency: install it when its header is missing (a fresh machine needs no manual step).
deps:
	@if [ ! -f $(CSV_HEADER) ]; then \
		echo "installing libcsv-dev (header $(CSV_HEADER) missing)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libcsv-dev; \
	fi

build: deps
	$(SWIFT) build -c release --product activation

nightly: build
	$(BIN) run --customers $(SAMPLE)/customers.csv --events $(SAMPLE)/events --out Reports

test: deps
	$(SWIFT) test

sample: build
	$(BIN) sample --out $(SAMPLE)

clean:
	rm -rf .build
