#!/usr/bin/env bash
# The postgres service: this instance's own PostgreSQL server, in the foreground so the supervisor
# owns it (exec: the supervisor's child IS postgres; SIGINT = fast shutdown).
#   data:   $FACTORY_DATA_DIR/postgres (created from the setup step's template, else initdb)
#   port:   $POSTGRES_PORT on 127.0.0.1 only; unix socket in $FACTORY_RUN_DIR/pg (private)
# Environment: POSTGRES_PORT, FACTORY_DATA_DIR, FACTORY_RUN_DIR; PG_TEMPLATE (optional).
set -euo pipefail
source "$(dirname "$0")/pg-common.sh"
: "${POSTGRES_PORT:?}" "${FACTORY_DATA_DIR:?}" "${FACTORY_RUN_DIR:?}"
data="$FACTORY_DATA_DIR/postgres"

if [ ! -f "$data/PG_VERSION" ]; then
  template="${PG_TEMPLATE:-}"
  if [ -n "$template" ] && [ -f "$template/PG_VERSION" ] && [ "$(cat "$template/PG_VERSION")" = "$PG_MAJOR" ]; then
    rm -rf "$data.tmp"
    mkdir -p "$(dirname "$data")"
    cp -a "$template" "$data.tmp"
    mv "$data.tmp" "$data"
    echo "diffie: new cluster copied from the template $template"
  else
    pg_initdb "$data"
    echo "diffie: new cluster initialized with initdb"
  fi
fi

# A unix socket path is limited to 107 bytes; a deep instance dir gets TCP only.
sockdir="$FACTORY_RUN_DIR/pg"
if [ $(( ${#sockdir} + 16 )) -gt 107 ]; then
  sockdir=""
else
  mkdir -p "$sockdir"
  chmod 700 "$sockdir"
fi

exec "${as_pg[@]}" "$PGBIN/postgres" -D "$data" -p "$POSTGRES_PORT" -k "$sockdir" \
  -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
  -c unix_socket_permissions=0700 -c max_connections=50 -c shared_buffers=16MB
