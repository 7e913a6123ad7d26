#!/usr/bin/env bash
# npm run demo:job — the README's job pipeline demo. From a fresh clone: installs what is missing,
# builds factory, then runs one job on a copy of examples/diffie from request to review page
# (scripts/demo-job.ts). Nothing is left running; the copy stays for you to look at.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
bash scripts/ensure-system.sh
ensure_npm_packages
quietly "npm run build" npm run build
exec node_modules/.bin/tsx scripts/demo-job.ts "$@"
