#!/usr/bin/env bash
# The README's test command (`npm test`) and what CI runs: installs what is missing, builds,
# typechecks, lints and formats (Biome), checks the import rules (dependency-cruiser) and that no
# dependency, file or export is unused (knip), then runs every test (the schema drift test among them).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
bash scripts/ensure-system.sh
ensure_npm_packages
npm run --silent build
npm run --silent typecheck
npm run --silent lint
npm run --silent depcruise
npm run --silent knip
export FACTORY_TEST_BUILT=1
exec npx vitest run "$@"
