#!/usr/bin/env bash
# Runs schemathesis (from PyPI) against the OpenAPI document of a real `intellicv serve`,
# with every check, and exits non-zero on any server error or conformance failure.
#
#   scripts/schemathesis.sh [sqlite|postgres|both]     (default: sqlite)
#
# Each backend gets a fresh data dir (and, for postgres, a fresh database at
# 127.0.0.1:5432, user postgres, dropped at the end), an admin account and its bearer
# token. The run is bounded: SCHEMATHESIS_MAX_EXAMPLES test cases per operation (default
# 10) and SCHEMATHESIS_MAX_TIME seconds per backend (default 150, plus 3 x
# SCHEMATHESIS_LAST_TIME, default 20 s, for the operations that can end the token's session,
# and about 15 s to start). A response
# slower than 60 s fails the run. Every check runs except positive_data_acceptance: it expects
# any schema-valid request to be accepted, and rules a schema cannot state (password
# strength, an e-mail's form, a posting that must exist) make those 422s right. The schemathesis
# version is pinned below; it is installed into target/schemathesis-venv when missing.
# Set SCHEMATHESIS_SEED for a reproducible run; reports go to target/schemathesis/<backend>.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-10}
MAX_TIME=${SCHEMATHESIS_MAX_TIME:-150}
LAST_TIME=${SCHEMATHESIS_LAST_TIME:-20}
PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=postgres

cd "$(dirname "$0")/.."
ROOT=$(pwd)
backends=${1:-sqlite}
case "$backends" in
    sqlite | postgres) ;;
    both) backends="sqlite postgres" ;;
    *)
        echo "usage: $0 [sqlite|postgres|both]" >&2
        exit 2
        ;;
esac

# --- schemathesis, pinned ---------------------------------------------------------------
VENV="$ROOT/target/schemathesis-venv"
ST="$VENV/bin/schemathesis"
if ! "$ST" --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION\$"; then
    echo "schemathesis: installing $SCHEMATHESIS_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

# --- the server binary --------------------------------------------------------------------
# Built as `make test` builds the workspace (examples bring in the dev-dependencies' features),
# so after the test suite this reuses every artifact instead of compiling the dependencies
# again with another feature set.
cargo build --quiet --workspace --locked --bins --examples
BIN="$ROOT/target/debug/intellicv"

SERVER_PID=""
WORK=""
PG_DB=""

cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
    if [ -n "$PG_DB" ]; then
        psql -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres \
            -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    PG_DB=""
    if [ -n "$WORK" ]; then
        rm -rf "$WORK"
    fi
    WORK=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

run_backend() {
    local backend=$1
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/intellicv-schemathesis.XXXXXX")
    local data_dir="$WORK/data"
    local db_url
    if [ "$backend" = postgres ]; then
        if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
            echo "schemathesis: PostgreSQL is not reachable on $PG_HOST:$PG_PORT" >&2
            return 1
        fi
        PG_DB="intellicv_schemathesis_$$_$RANDOM"
        psql -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres \
            -c "CREATE DATABASE $PG_DB" >/dev/null
        db_url="postgres://$PG_USER@$PG_HOST:$PG_PORT/$PG_DB"
    else
        db_url="sqlite://$data_dir/intellicv.db"
    fi
    mkdir -p "$data_dir"

    # Settings for a fuzzing run: rate limits off (schemathesis sends bursts from one IP),
    # tokens that outlive the run, the shared cache of embedded ESCO labels.
    export INTELLICV__RATE_LIMIT__ENABLED=false
    export INTELLICV__AUTH__ACCESS_TOKEN_TTL_SECS=3600
    # The login throttle is not a rate limit: the run's many wrong logins from 127.0.0.1
    # would lock the script's own logins out.
    export INTELLICV__AUTH__MAX_FAILED_LOGINS_PER_IP=1000000
    export INTELLICV__AUTH__MAX_FAILED_LOGINS_PER_ACCOUNT=1000000
    export INTELLICV__SKILLS__VECTOR_CACHE_DIR="$ROOT/target/skill-vector-cache"
    export RUST_LOG=${RUST_LOG:-warn}
    unset INTELLICV_CONFIG

    local email="schemathesis-admin@example.com"
    local password
    password="st-$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"
    INTELLICV_USER_PASSWORD="$password" "$BIN" --data-dir "$data_dir" --database-url "$db_url" \
        users create --email "$email" --role admin --name "Schemathesis Admin" >/dev/null

    local port
    port=$(free_port)
    local base="http://127.0.0.1:$port"
    "$BIN" --data-dir "$data_dir" --database-url "$db_url" serve --bind 127.0.0.1 --port "$port" \
        >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    local up=""
    for _ in $(seq 1 240); do
        if curl -fsS "$base/healthz" >/dev/null 2>&1; then
            up=1
            break
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            break
        fi
        sleep 0.5
    done
    if [ -z "$up" ]; then
        echo "schemathesis: the server did not start; its log:" >&2
        cat "$WORK/server.log" >&2
        return 1
    fi

    login() {
        curl -fsS "$base/api/v1/auth/login" -H 'content-type: application/json' \
            -d "$(python3 -c 'import json,sys; print(json.dumps({"email": sys.argv[1], "password": sys.argv[2]}))' "$email" "$password")" |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
    }

    local report_dir="$ROOT/target/schemathesis/$backend"
    rm -rf "$report_dir"
    mkdir -p "$report_dir"
    local seed_args=()
    if [ -n "${SCHEMATHESIS_SEED:-}" ]; then
        seed_args=(--seed "$SCHEMATHESIS_SEED")
    fi
    echo "schemathesis: $backend at $base (max $MAX_EXAMPLES examples per operation, ${MAX_TIME}s)"
    local common=(
        "$base/api/v1/openapi.json"
        --url "$base"
        --checks all
        --exclude-checks positive_data_acceptance
        --max-examples "$MAX_EXAMPLES"
        --request-timeout 90
        --max-response-time 60
        --no-shrink
        "${seed_args[@]}"
    )
    # The ndjson body of POST /admin/data/import needs a serializer of ours.
    export SCHEMATHESIS_HOOKS="$ROOT/scripts/schemathesis_hooks.py"
    local status=0 token
    # Operations that can end the token's session (logout; disabling, demoting or deleting
    # the run's admin once the run has made another one) run last, each alone with a
    # token of its own; before them, every other operation.
    local last=(
        "POST /api/v1/auth/logout"
        "PUT /api/v1/admin/users/{user_id}/update"
        "DELETE /api/v1/admin/users/{user_id}"
    )
    local exclude_last=() op
    for op in "${last[@]}"; do
        exclude_last+=(--exclude-name "$op")
    done
    token=$(login) || { echo "schemathesis: login failed" >&2; return 1; }
    "$ST" run "${common[@]}" \
        --header "Authorization: Bearer $token" \
        "${exclude_last[@]}" \
        --max-time "$MAX_TIME" \
        --workers 2 \
        --report junit,ndjson --report-dir "$report_dir/main" || status=$?
    local i=0
    for op in "${last[@]}"; do
        i=$((i + 1))
        token=$(login) || { echo "schemathesis: login failed" >&2; return 1; }
        "$ST" run "${common[@]}" \
            --header "Authorization: Bearer $token" \
            --include-name "$op" \
            --max-time "$LAST_TIME" \
            --report junit --report-dir "$report_dir/last-$i" || status=$?
    done
    if [ "$status" -ne 0 ] && grep -qiE 'panicked|internal error' "$WORK/server.log"; then
        echo "schemathesis: server log errors ($backend):" >&2
        grep -iE -A3 'panicked|internal error' "$WORK/server.log" | head -60 >&2
    fi
    cp "$WORK/server.log" "$report_dir/server.log"
    cleanup
    return "$status"
}

failed=0
for backend in $backends; do
    start=$(date +%s)
    if run_backend "$backend"; then
        echo "schemathesis: $backend passed in $(($(date +%s) - start))s"
    else
        echo "schemathesis: $backend FAILED after $(($(date +%s) - start))s" >&2
        failed=1
    fi
done
exit "$failed"
