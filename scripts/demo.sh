#!/usr/bin/env bash
# npm run demo — the README's first command. From a fresh clone: installs what is missing, builds
# factory, then runs the example app (examples/diffie: PostgreSQL, migrations, API, WebSocket
# realtime, worker, registration, web app) as one instance, shows its URLs and status, runs its
# test suites and its browser validation (video), and stops it. A few minutes at most; nothing is
# left running.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd -P)"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
id="${DEMO_WORKTREE_ID:-demo}"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "system packages (PostgreSQL, git, …)"
bash scripts/ensure-system.sh
NPM_CI_STEP=step ensure_npm_packages
step "build factory"
quietly "npm run build" npm run build

# The README's way to get `factory` on PATH: a global symlink to this checkout's bin/factory.js.
step "npm link   (puts factory on your PATH, as the README says)"
if ! quietly "npm link" npm link --no-audit --no-fund; then
  echo "  hint: npm's global folder ($(npm prefix -g)) is not writable: run as root, or" >&2
  echo "        npm config set prefix ~/.local  (with ~/.local/bin on PATH) and run the demo again" >&2
  exit 1
fi
hash -r
if [ "$(readlink -f "$(command -v factory || true)")" != "$repo/bin/factory.js" ]; then
  echo "factory: \`factory\` on PATH is $(command -v factory || echo missing), not this checkout's; put $(npm prefix -g)/bin first on PATH" >&2
  exit 1
fi
echo "factory → $(command -v factory) ($(factory --version))"
cd examples/diffie

stopped=0
stop() {
  [ "$stopped" = 1 ] && return
  stopped=1
  # clean = stop + remove the instance's data and release its ports, so the next demo starts from
  # an empty database and its browser scenario proves a project really gets created.
  step "factory clean --worktree-id $id"
  factory clean --worktree-id "$id" || true
}
trap stop EXIT
trap 'exit 130' INT TERM

step "factory setup --worktree-id $id   (dependencies, .dev.vars secret, PostgreSQL template)"
factory setup --worktree-id "$id"

step "factory start --worktree-id $id   (every service, in dependency order, until healthy)"
started=$(date +%s%N)
factory start --worktree-id "$id"
echo "all ready in $(( ($(date +%s%N) - started) / 1000000 )) ms"

step "factory urls --worktree-id $id"
factory urls --worktree-id "$id"

step "factory status --worktree-id $id"
factory status --worktree-id "$id"

step "factory test --worktree-id $id   (unit + api suites against the running instance)"
set +e
factory test --worktree-id "$id"
tests=$?

step "factory validate --worktree-id $id   (a person's path through the app in Chromium, on video)"
factory validate --worktree-id "$id"
validated=$?
set -e
[ "$tests" -eq 0 ] && tests=$validated

stop
if [ "$tests" -eq 0 ]; then
  printf '\n\033[32mdemo complete:\033[0m diffie ran, passed its tests and browser validation, and stopped.\n'
  echo "evidence (test reports, logs, video, report.html): examples/diffie/.factory/artifacts/"
else
  printf '\n\033[31mdemo: tests or validation failed (exit %s)\033[0m; see examples/diffie/.factory/artifacts/\n' "$tests"
fi
exit "$tests"
