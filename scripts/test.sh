#!/usr/bin/env bash
# The README's test command (`npm test`) and what CI runs: installs what is missing, builds,
# typechecks, checks the generated schemas are current, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
bash scripts/ensure-system.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  quietly "npm ci" npm ci --no-audit --no-fund
fi
npm run --silent build
npm run --silent typecheck
npm run --silent lint
export FACTORY_TEST_BUILT=1
exec npx vitest run "$@"
