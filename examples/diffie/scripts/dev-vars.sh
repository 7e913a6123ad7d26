#!/usr/bin/env bash
# Setup step: write the git-ignored `.dev.vars` with this checkout's realtime secret, once. An
# existing file is kept (rotating the secret would log out open browser tabs for nothing).
# Usage: dev-vars.sh [file]
set -euo pipefail
file="${1:-.dev.vars}"
if [ -f "$file" ] && grep -q '^REALTIME_SECRET=.\+' "$file"; then
  echo "$file already has REALTIME_SECRET"
  exit 0
fi
umask 077
secret="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
printf '# Written by scripts/dev-vars.sh (factory setup). Local secrets: never commit.\nREALTIME_SECRET=%s\n' "$secret" > "$file.tmp"
mv "$file.tmp" "$file"
echo "wrote $file"
