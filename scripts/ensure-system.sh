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
# examples/diffie/dev.sh (the "before" the diffie benchmark runs) polls with curl.
command -v curl >/dev/null || missing+=(curl)
# Container engine for the compose and container-sandbox tests: podman serves the Docker API on a
# private socket; Debian's standalone docker-compose and podman-compose drive it (installed without
# recommends: docker-compose would pull in the docker.io engine); busybox-static builds test images.
command -v podman >/dev/null || missing+=(podman)
command -v runc >/dev/null || missing+=(runc)
[ -x /usr/libexec/podman/catatonit ] || missing+=(catatonit)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v podman-compose >/dev/null || missing+=(podman-compose)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || missing+=(busybox-static)
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
