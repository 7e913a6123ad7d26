#!/usr/bin/env bash
# The README's test command (`npm test`) and what CI runs: installs what is missing, builds,
# typechecks, lints and formats (Biome), checks the import rules (dependency-cruiser), then runs
# every test (the generated schemas' drift test among them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build
npm run --silent typecheck
npm run --silent lint
npm run --silent depcruise
export FACTORY_TEST_BUILT=1
exec npx vitest run "$@"
