#!/usr/bin/env bash
# Installs what factory's tests and demo need from Debian when run as root; otherwise prints the
# exact command. Idempotent and silent when everything is present (even while another apt runs).
#
#   ensure-system.sh                 the packages factory needs (below)
#   ensure-system.sh CHECK=PACKAGE…  these instead: CHECK is a command name, an absolute path glob,
#                                    or dpkg:NAME (that package is installed)
#
# When another apt or dpkg holds the package manager's lock (unattended upgrades, a second
# install), it waits — at most FACTORY_APT_LOCK_TIMEOUT seconds (600), saying so every 10 s — then
# installs. apt's own output is kept in a log and shown (its tail) only when a step fails.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

requirements=("$@")
if [ ${#requirements[@]} -eq 0 ]; then
  requirements=(
    git=git chromium=chromium ffmpeg=ffmpeg bwrap=bubblewrap
    '/usr/lib/postgresql/*/bin/initdb=postgresql' runuser=util-linux
    # examples/diffie/dev.sh (the "before" the diffie benchmark runs) polls with curl.
    curl=curl
    # test/cli/progress-pty.test.ts reads start's progress line off a real 80-column terminal.
    tmux=tmux
    # Container engine for the compose and container-sandbox tests: podman serves the Docker API on
    # a private socket; Debian's standalone docker-compose and podman-compose drive it (installed
    # without recommends: docker-compose would pull in the docker.io engine); busybox-static builds
    # test images.
    podman=podman runc=runc /usr/libexec/podman/catatonit=catatonit
    docker-compose=docker-compose podman-compose=podman-compose dpkg:busybox-static=busybox-static
  )
fi

present() {
  case $1 in
    dpkg:*) dpkg-query -W -f='${Status}' "${1#dpkg:}" 2>/dev/null | grep -q 'ok installed' ;;
    /*) compgen -G "$1" >/dev/null ;;
    *) command -v "$1" >/dev/null ;;
  esac
}

missing=()
for r in "${requirements[@]}"; do
  if [[ $r != *=* ]]; then
    echo "factory: ensure-system.sh: \"$r\" is not CHECK=PACKAGE" >&2
    exit 2
  fi
  present "${r%%=*}" || missing+=("${r#*=}")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

if [ "$(id -u)" != "0" ]; then
  echo "factory: missing system packages: ${missing[*]}" >&2
  echo "  run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "factory: installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
deadline=$((SECONDS + ${FACTORY_APT_LOCK_TIMEOUT:-600}))
wait_for_apt_locks "$deadline"

# `apt-get update` does not wait for the lists lock (DPkg::Lock::Timeout covers dpkg's locks only):
# when another apt took it in the meantime, wait again and retry.
log=$(mktemp "${TMPDIR:-/tmp}/factory-apt.XXXXXX.log")
until run_logged "$log" apt-get update -q; do
  status=$?
  if [ -z "$(apt_lock_holder)" ] || [ "$SECONDS" -ge "$deadline" ]; then
    show_tail "apt-get update" "$log" "$status"
    exit "$status"
  fi
  wait_for_apt_locks "$deadline"
done
# The lock can be taken again between our wait and apt's own: apt waits out the rest of the time.
status=0
run_logged "$log" apt-get install -y -q --no-install-recommends \
  -o "DPkg::Lock::Timeout=$((deadline > SECONDS ? deadline - SECONDS : 1))" "${missing[@]}" || status=$?
if [ "$status" -ne 0 ]; then
  show_tail "apt-get install ${missing[*]}" "$log" "$status"
  exit "$status"
fi
rm -f "$log"
# Debian's postgresql package starts a machine-wide cluster; factory never uses it.
if printf '%s\n' "${missing[@]}" | grep -qx postgresql; then
  (command -v pg_ctlcluster >/dev/null && pg_lsclusters -h 2>/dev/null | while read -r ver name _; do pg_ctlcluster "$ver" "$name" stop || true; done) || true
fi
