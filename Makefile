# Task runner. `make run` serves with sample data on embedded SQLite; `make test` runs
# everything CI runs. Both install or fetch what they need first.

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: run test setup services fmt lint unit fuzz-smoke schemathesis

## Serve on embedded SQLite at http://127.0.0.1:8080 (data in ./data/local).
run: setup
	$(CARGO) run --release -p intellicv -- serve --load-samples

## The whole suite: formatting, lints, unit and integration tests on SQLite and PostgreSQL,
## schemathesis against the OpenAPI document on both backends, and a bounded run of every
## fuzz target.
test: setup services
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) test --workspace --locked --lib --bins --tests
	$(MAKE) schemathesis
	$(MAKE) fuzz-smoke

## schemathesis (pinned, from PyPI) against a real server on each backend, bounded per backend
## to SCHEMATHESIS_MAX_TIME s plus 3 x SCHEMATHESIS_LAST_TIME s; fails on any server error or
## response that does not conform to the OpenAPI document.
SCHEMATHESIS_MAX_TIME ?= 60
SCHEMATHESIS_LAST_TIME ?= 10
schemathesis:
	SCHEMATHESIS_MAX_TIME=$(SCHEMATHESIS_MAX_TIME) SCHEMATHESIS_LAST_TIME=$(SCHEMATHESIS_LAST_TIME) scripts/schemathesis.sh both

## Every parser's fuzz target for FUZZ_SMOKE_SECONDS each, after the known hostile files
## (builds cargo-fuzz and the targets first; scripts/fuzz.sh runs the long campaigns).
FUZZ_SMOKE_SECONDS ?= 10
fuzz-smoke:
	scripts/fuzz.sh smoke $(FUZZ_SMOKE_SECONDS)

## Fetch what the build and tests need (toolchain components, model files).
setup:
	@scripts/setup.sh

## Start the local PostgreSQL server the tests use, if it is installed and stopped.
services:
	@scripts/services.sh

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings
