#!/usr/bin/env bash
# Makes sure the PostgreSQL server the tests use answers on 127.0.0.1:5432.
# On a machine without PostgreSQL the tests skip their PostgreSQL half, except in CI
# (CI=true), where a missing server fails the run.
set -euo pipefail

if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    echo "services: starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do
        pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
        sleep 1
    done
fi
if [ "${CI:-}" = "true" ]; then
    echo "services: PostgreSQL is not reachable on 127.0.0.1:5432 and CI=true" >&2
    exit 1
fi
echo "services: PostgreSQL not reachable; its tests will be skipped" >&2
