#!/usr/bin/env bash
# dev.sh — the "before": Diffie started the way it was before factory.yaml, kept for comparison
# (docs/diffie.md, bench/diffie-start.ts). Everything factory fixes is here on purpose:
#   - fixed ports (a second checkout collides with the first),
#   - one global database directory shared by every checkout,
#   - `sleep 1` readiness loops and a fixed `sleep 2` before registration,
#   - dependency install on every start, and no cleanup of what a crash leaves behind.
# Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")"

# Fixed ports (overridable, like .env.dev overrides were).
export POSTGRES_PORT="${POSTGRES_PORT:-5433}" API_PORT="${API_PORT:-3001}" REALTIME_PORT="${REALTIME_PORT:-3002}"
export WORKER_PORT="${WORKER_PORT:-3003}" APP_PORT="${APP_PORT:-3000}"
DEV_HOME="${DIFFIE_DEV_HOME:-/tmp/diffie-dev}"   # the one global database dir
export FACTORY_DATA_DIR="$DEV_HOME" FACTORY_RUN_DIR="$DEV_HOME/run"
export DATABASE_URL="postgres://app@127.0.0.1:$POSTGRES_PORT/diffie"
export API_URL="http://127.0.0.1:$API_PORT" REALTIME_URL="ws://127.0.0.1:$REALTIME_PORT"
export WORKER_URL="http://127.0.0.1:$WORKER_PORT" APP_URL="http://127.0.0.1:$APP_PORT"
mkdir -p "$DEV_HOME/logs" "$FACTORY_RUN_DIR"

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo "dev.sh: stopping"
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

start() { # name, command…
  local name="$1"; shift
  "$@" >"$DEV_HOME/logs/$name.log" 2>&1 &
  pids+=($!)
}

echo "dev.sh: installing dependencies"
npm install --no-audit --no-fund --loglevel=error
bash scripts/dev-vars.sh .dev.vars
set -a; source ./.dev.vars; set +a

echo "dev.sh: starting postgres on $POSTGRES_PORT"
start postgres bash scripts/postgres.sh
until bash scripts/pg-ready.sh 2>/dev/null; do sleep 1; done

echo "dev.sh: pushing the schema"
node services/migrate.mjs

start api node services/api.mjs
start worker node services/worker.mjs
start realtime node services/realtime.mjs
until curl -sf "$API_URL/health" >/dev/null; do sleep 1; done
sleep 2 # give the worker time to come up before registering it
node services/register.mjs
start app node services/app.mjs
until curl -sf "$APP_URL/health" >/dev/null && curl -sf "http://127.0.0.1:$REALTIME_PORT/health" >/dev/null; do sleep 1; done

echo "dev.sh: Diffie is ready"
echo "  app      $APP_URL"
echo "  api      $API_URL"
echo "  realtime $REALTIME_URL"
echo "  logs     $DEV_HOME/logs"
wait
