#!/usr/bin/env bash
# A PostgreSQL server with pgvector, for the search benchmark's baseline
# (`intellicv-lab bench search`, tests/api/pg_baseline.rs).
#
#   scripts/pgvector-server.sh start [--port N]   start (or find running) and print its URL
#   scripts/pgvector-server.sh url                print the URL of the running server
#   scripts/pgvector-server.sh status             say whether it runs; exit 1 if not
#   scripts/pgvector-server.sh stop               stop it (the data directory stays)
#   scripts/pgvector-server.sh stop --purge       stop it and delete the data directory
#
# pgvector is not packaged in Debian here, so the server comes from the PyPI package
# `pgserver` (pinned below), which ships PostgreSQL 16 built with pgvector 0.6 under
# pgserver/pginstall/{bin,lib,share}. The package's Python API listens on a Unix socket
# only; this script runs its bundled initdb/pg_ctl itself so the server listens on
# 127.0.0.1 on a spare port (or --port N). Trust authentication, loopback only.
#
# Directories (nothing here is committed):
#   $INTELLICV_PGSERVER_DIR   venv with pgserver; default ~/.cache/intellicv/pgserver, or
#                             /var/cache/intellicv/pgserver as root (see below)
#   $INTELLICV_PGVECTOR_DATA  data directory, default /tmp/intellicv-pgvector
# PostgreSQL refuses to run as root: as root the server runs as $INTELLICV_PGSERVER_USER
# (default `postgres` if that user exists, else a system user `pgserver` is created the way
# the pgserver package itself does), and the venv goes where that user can read it.
#
# The printed URL names the database `intellicv_bench`, created with the `vector`
# extension installed (checked with CREATE EXTENSION at every start).
# Idempotent: `start` on a running server prints its URL and changes nothing.
set -euo pipefail

PGSERVER_VERSION=0.1.4
DATABASE=intellicv_bench
PYTHON="${PYTHON:-python3}"

die() { echo "pgvector-server: $*" >&2; exit 1; }
say() { echo "pgvector-server: $*" >&2; }

if [ "$(id -u)" = 0 ]; then
    default_dir=/var/cache/intellicv/pgserver
else
    default_dir="${XDG_CACHE_HOME:-$HOME/.cache}/intellicv/pgserver"
fi
CACHE_DIR="${INTELLICV_PGSERVER_DIR:-$default_dir}"
DATA_DIR="${INTELLICV_PGVECTOR_DATA:-/tmp/intellicv-pgvector}"
VENV="$CACHE_DIR/venv"
LOG_FILE="$DATA_DIR/server.log"

usage() { sed -n '5,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# --- arguments ---------------------------------------------------------------
[ $# -ge 1 ] || usage
command="$1"; shift
port=""
purge=false
while [ $# -gt 0 ]; do
    case "$1" in
        --port) [ $# -ge 2 ] || die "--port needs a number"; port="$2"; shift 2 ;;
        --port=*) port="${1#--port=}"; shift ;;
        --purge) purge=true; shift ;;
        -h|--help) usage ;;
        *) die "unknown argument '$1'" ;;
    esac
done
if [ -n "$port" ] && ! [[ "$port" =~ ^[0-9]+$ && "$port" -ge 1024 && "$port" -le 65535 ]]; then
    die "--port must be a number from 1024 to 65535, got '$port'"
fi

# --- who runs the server -----------------------------------------------------
run_as=()
if [ "$(id -u)" = 0 ]; then
    server_user="${INTELLICV_PGSERVER_USER:-}"
    if [ -z "$server_user" ]; then
        if id postgres >/dev/null 2>&1; then server_user=postgres; else server_user=pgserver; fi
    fi
    if ! id "$server_user" >/dev/null 2>&1; then
        say "creating system user '$server_user' to run PostgreSQL (it refuses to run as root)"
        useradd --system --no-create-home --shell /usr/sbin/nologin "$server_user" \
            || die "could not create user '$server_user'; set INTELLICV_PGSERVER_USER to an existing non-root user"
    fi
    run_as=(runuser -u "$server_user" --)
fi
as_server() { "${run_as[@]}" "$@"; }

# --- pgserver install ----------------------------------------------------------
bin_dir() {
    local dir
    # pgserver._commands.POSTGRES_BIN_PATH is <package>/pginstall/bin; found without importing
    # the package (its import touches platformdirs and psutil).
    dir="$("$VENV/bin/python" -c 'import importlib.util as u
print(u.find_spec("pgserver").submodule_search_locations[0] + "/pginstall/bin")' 2>/dev/null)" \
        || return 1
    [ -x "$dir/postgres" ] || return 1
    echo "$dir"
}

ensure_installed() {
    local installed=""
    if [ -x "$VENV/bin/python" ]; then
        installed="$("$VENV/bin/python" -c \
            'import importlib.metadata as m; print(m.version("pgserver"))' 2>/dev/null || true)"
    fi
    if [ "$installed" != "$PGSERVER_VERSION" ]; then
        command -v "$PYTHON" >/dev/null || die "$PYTHON not found (needed to install pgserver)"
        say "installing pgserver==$PGSERVER_VERSION into $VENV"
        mkdir -p "$CACHE_DIR"
        [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV" \
            || die "could not create a venv at $VENV (is python3-venv installed?)"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check "pgserver==$PGSERVER_VERSION" \
            || die "pip install pgserver==$PGSERVER_VERSION failed"
    fi
    BIN="$(bin_dir)" || die "pgserver is installed in $VENV but its postgres binary is missing"
    [ -f "$BIN/../lib/postgresql/vector.so" ] \
        || die "this pgserver build has no pgvector ($BIN/../lib/postgresql/vector.so missing)"
    if [ ${#run_as[@]} -gt 0 ] && ! as_server test -x "$BIN/postgres"; then
        die "user '$server_user' cannot run $BIN/postgres; put the venv where it can (INTELLICV_PGSERVER_DIR)"
    fi
}

# --- server state --------------------------------------------------------------
# Prints the port of the server running on DATA_DIR, or fails.
running_port() {
    [ -n "${BIN:-}" ] || BIN="$(bin_dir)" || return 1
    [ -f "$DATA_DIR/postmaster.pid" ] || return 1
    as_server "$BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1 || return 1
    sed -n '4p' "$DATA_DIR/postmaster.pid"
}

url_for() { echo "postgres://postgres@127.0.0.1:$1/$DATABASE"; }

spare_port() {
    "$PYTHON" - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

psql_at() {
    local p="$1"; shift
    "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$p" -U postgres "$@"
}

ensure_database() {
    local p="$1" exists
    exists="$(psql_at "$p" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" \
        || die "cannot connect to the server on port $p (log: $LOG_FILE)"
    [ "$exists" = 1 ] || psql_at "$p" -d postgres -c "CREATE DATABASE $DATABASE" \
        || die "could not create database $DATABASE"
    psql_at "$p" -d "$DATABASE" -c "SET client_min_messages TO warning" \
        -c "CREATE EXTENSION IF NOT EXISTS vector" -c "SELECT '[1,0]'::vector <=> '[0,1]'::vector" >/dev/null \
        || die "CREATE EXTENSION vector failed on port $p"
}

start() {
    ensure_installed
    local p
    if p="$(running_port)"; then
        if [ -n "$port" ] && [ "$port" != "$p" ]; then
            die "already running on port $p (not $port); stop it first"
        fi
        ensure_database "$p"
        url_for "$p"
        return
    fi
    if [ -f "$DATA_DIR/postmaster.pid" ]; then
        say "removing stale postmaster.pid"
        rm -f "$DATA_DIR/postmaster.pid"
    fi
    if [ ! -f "$DATA_DIR/PG_VERSION" ]; then
        if [ -e "$DATA_DIR" ] && [ -n "$(ls -A "$DATA_DIR")" ]; then
            die "$DATA_DIR exists, is not empty and is not a PostgreSQL data directory"
        fi
        mkdir -p "$DATA_DIR"
        [ ${#run_as[@]} -eq 0 ] || chown "$server_user" "$DATA_DIR"
        chmod 700 "$DATA_DIR"
        say "initialising $DATA_DIR"
        as_server "$BIN/initdb" -D "$DATA_DIR" --auth=trust --encoding=UTF8 --locale=C \
            -U postgres >/dev/null || die "initdb failed for $DATA_DIR"
    fi
    p="${port:-$(spare_port)}"
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        die "port $p is already in use"
    fi
    say "starting PostgreSQL on 127.0.0.1:$p (data $DATA_DIR, log $LOG_FILE)"
    as_server "$BIN/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -w -t 30 \
        -o "-h 127.0.0.1 -p $p -k $DATA_DIR" start >/dev/null \
        || { tail -n 20 "$LOG_FILE" >&2 2>/dev/null || true; die "server did not start"; }
    ensure_database "$p"
    url_for "$p"
}

stop() {
    if ! BIN="$(bin_dir)"; then
        say "pgserver is not installed; nothing runs"
    elif running_port >/dev/null; then
        as_server "$BIN/pg_ctl" -D "$DATA_DIR" -m fast -w stop >/dev/null || die "pg_ctl stop failed"
        say "stopped"
    else
        say "not running"
    fi
    if $purge && [ -e "$DATA_DIR" ]; then
        rm -rf "$DATA_DIR"
        say "removed $DATA_DIR"
    fi
}

case "$command" in
    start) start ;;
    stop) stop ;;
    url)
        p="$(running_port)" || die "not running (scripts/pgvector-server.sh start)"
        url_for "$p"
        ;;
    status)
        if p="$(running_port)"; then echo "running: $(url_for "$p")"; else echo "not running"; exit 1; fi
        ;;
    *) usage ;;
esac
