#!/usr/bin/env bash
# Installs what factory's tests and demo need from Debian when run as root; otherwise prints the
# exact command. Idempotent and quiet when everything is present.
set -euo pipefail
missing=()
command -v git >/dev/null || missing+=(git)
command -v chromium >/dev/null || missing+=(chromium)
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
command -v bwrap >/dev/null || missing+=(bubblewrap)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v runuser >/dev/null || missing+=(util-linux)
# test/cli/progress-pty.test.ts reads start's progress line off a real 80-column terminal (tmux).
command -v tmux >/dev/null || missing+=(tmux)
# examples/diffie/dev.sh (the "before" the diffie benchmark runs) polls with curl.
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ]; then
  echo "factory: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian's postgresql package starts a machine-wide cluster; factory never uses it.
  if printf '%s\n' "${missing[@]}" | grep -qx postgresql; then
    (command -v pg_ctlcluster >/dev/null && pg_lsclusters -h 2>/dev/null | while read -r ver name _; do pg_ctlcluster "$ver" "$name" stop || true; done) || true
  fi
else
  echo "factory: missing system packages: ${missing[*]}" >&2
  echo "  run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
