# Task runner. `make run` serves with sample data on embedded SQLite; `make test` runs
# everything CI runs. Both install or fetch what they need first.

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: run test setup services fmt lint unit

## Serve on embedded SQLite at http://127.0.0.1:8080 (data in ./data/local).
run: setup
	$(CARGO) run --release -p intellicv -- serve --load-samples

## The whole suite: formatting, lints, unit and integration tests on SQLite and PostgreSQL.
test: setup services
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) test --workspace --locked --lib --bins --tests

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
