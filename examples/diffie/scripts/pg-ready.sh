#!/usr/bin/env bash
# Readiness of this instance's PostgreSQL: pg_isready on its leased port (exit 0 = accepting).
set -euo pipefail
source "$(dirname "$0")/pg-common.sh"
exec "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "${POSTGRES_PORT:?}" -U app -d postgres -t 2
