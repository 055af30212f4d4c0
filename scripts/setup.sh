#!/usr/bin/env bash
# Installs what building and testing need. Safe to re-run; fast when all is in place.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: cargo is missing; install a Rust toolchain (rustup) first" >&2
    exit 1
fi
for component in rustfmt clippy; do
    if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
        rustup component add "$component"
    fi
done
if [ -x scripts/fetch-models.sh ]; then
    scripts/fetch-models.sh
fi
