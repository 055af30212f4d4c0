#!/usr/bin/env bash
# Fuzzing with cargo-fuzz (libFuzzer) on the project's parsers. Opt-in: not part of setup.sh.
#
#   scripts/fuzz.sh build                 install cargo-fuzz if missing, build every target
#   scripts/fuzz.sh seeds                 (re)generate the seed corpora into fuzz/seeds/
#   scripts/fuzz.sh smoke [SECONDS]       reproducers, then each target for SECONDS (60),
#                                         FUZZ_JOBS (the number of cores) at a time
#   scripts/fuzz.sh long TARGET RUNS [ARGS...]   one target for RUNS executions
#   scripts/fuzz.sh list                  the targets
#
# Every run has a memory limit (FUZZ_RSS_MB, 2048) and a per-input time limit
# (FUZZ_TIMEOUT, 30 s: the service stops an extraction at 20 s, and the instrumented build
# runs slower; the heaviest seed, a small text-operator bomb, takes 7.5 s on a loaded
# machine); any crash, timeout or out-of-memory makes the script exit non-zero,
# with the input in fuzz/artifacts/<target>/. FUZZ_TARGETS="pdf docx" limits smoke to some
# targets. Only a stable toolchain is needed: RUSTC_BOOTSTRAP=1 lets cargo-fuzz use the
# nightly flags it passes. FUZZ_SANITIZER (none) picks the sanitizer; `address` needs a
# toolchain whose ASan runtime works here.
set -euo pipefail
cd "$(dirname "$0")/.."

SANITIZER=${FUZZ_SANITIZER:-none}
RSS_MB=${FUZZ_RSS_MB:-2048}
TIMEOUT=${FUZZ_TIMEOUT:-30}
TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
BIN_DIR=fuzz/target/$TRIPLE/release
LIMITS=(-rss_limit_mb="$RSS_MB" -timeout="$TIMEOUT")

all_targets() {
    ls fuzz/fuzz_targets | sed -n 's/\.rs$//p'
}

CARGO_FUZZ_VERSION=0.13.2

ensure_cargo_fuzz() {
    if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
        cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
    fi
}

build() {
    ensure_cargo_fuzz
    # Only this build gets RUSTC_BOOTSTRAP: cargo fingerprints it, so exporting it for the
    # whole script made the seed generator's workspace build start again from scratch.
    RUSTC_BOOTSTRAP=1 cargo fuzz build -s "$SANITIZER" --release --debug-assertions
}

seeds() {
    rm -rf fuzz/seeds
    # Built as `make test` builds the workspace, so the suite's artifacts are reused.
    cargo build --quiet --workspace --locked --bins --examples
    target/debug/examples/fuzz_seeds fuzz/seeds
}

# Seeds regenerated and targets rebuilt on every run (both are quick when nothing changed),
# so a run never fuzzes stale code.
ensure_ready() {
    seeds
    build
}

# run TARGET ARGS...: one libFuzzer run with the limits, its own corpus and the seeds.
run() {
    local target=$1
    shift
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target" fuzz/logs
    local seed_dir="fuzz/seeds/$target"
    [ -d "$seed_dir" ] || seed_dir=
    "$BIN_DIR/$target" "${LIMITS[@]}" -artifact_prefix="fuzz/artifacts/$target/" \
        -print_final_stats=1 "$@" "fuzz/corpus/$target" $seed_dir \
        >"fuzz/logs/$target.log" 2>&1
}

summary() {
    local target=$1 status=$2 log="fuzz/logs/$1.log"
    local runs
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    printf '%-16s exit %-3s executions %-10s %s\n' "$target" "$status" "${runs:-?}" \
        "$(grep -m1 -oE 'ERROR: libFuzzer: [a-z-]+|==[0-9]+== ERROR: [A-Za-z]+' "$log" || true)"
}

# reproducers: the hostile files of issue 17, each executed once through the PDF target.
reproducers() {
    mkdir -p fuzz/logs fuzz/artifacts/pdf
    local status=0
    "$BIN_DIR/pdf" "${LIMITS[@]}" -artifact_prefix=fuzz/artifacts/pdf/ fuzz/seeds/reproducers/* \
        >fuzz/logs/reproducers.log 2>&1 || status=$?
    printf '%-16s exit %s (%s files)\n' reproducers "$status" "$(ls fuzz/seeds/reproducers | wc -l)"
    return "$status"
}

# smoke_one TARGET SECONDS: one bounded run, its summary line and its exit status in
# fuzz/logs/TARGET.status.
smoke_one() {
    local target=$1 seconds=$2 status=0
    run "$target" -max_total_time="$seconds" || status=$?
    summary "$target" "$status"
    echo "$status" >"fuzz/logs/$target.status"
}

# smoke SECONDS: the reproducers, then every target for SECONDS, FUZZ_JOBS (the number of
# cores) at a time.
smoke() {
    local seconds=${1:-60} failed=0 target running=0
    local jobs=${FUZZ_JOBS:-$(nproc)}
    ensure_ready
    mkdir -p fuzz/logs
    rm -f fuzz/logs/*.status
    reproducers || failed=1
    for target in ${FUZZ_TARGETS:-$(all_targets)}; do
        smoke_one "$target" "$seconds" &
        running=$((running + 1))
        if [ "$running" -ge "$jobs" ]; then
            wait -n || true
            running=$((running - 1))
        fi
    done
    wait
    for target in ${FUZZ_TARGETS:-$(all_targets)}; do
        [ "$(cat "fuzz/logs/$target.status" 2>/dev/null)" = 0 ] || failed=1
    done
    if [ "$failed" -ne 0 ]; then
        echo "fuzz smoke: FAILED (logs in fuzz/logs, inputs in fuzz/artifacts)" >&2
        return 1
    fi
    echo "fuzz smoke: ok"
}

long() {
    local target=${1:?usage: fuzz.sh long TARGET RUNS [ARGS...]} runs=${2:?RUNS} status=0
    shift 2
    ensure_ready
    run "$target" -runs="$runs" "$@" || status=$?
    summary "$target" "$status"
    grep -E '^stat::|Done [0-9]+ runs' "fuzz/logs/$target.log" || true
    return "$status"
}

case "${1:-}" in
    build) build ;;
    seeds) seeds ;;
    smoke) smoke "${2:-60}" ;;
    long) shift; long "$@" ;;
    list) all_targets ;;
    *)
        sed -n '2,8p' "$0" >&2
        exit 2
        ;;
esac
