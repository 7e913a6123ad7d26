# Helpers shared by the README's commands (scripts/demo.sh, scripts/demo-job.sh, scripts/test.sh)
# and scripts/ensure-system.sh. Sourced, never run.

# run_logged LOG CMD [ARGS…]: CMD's stdout and stderr into LOG; returns CMD's status.
run_logged() {
  local log=$1
  shift
  "$@" >"$log" 2>&1
}

# show_tail LABEL LOG STATUS: what a failed step printed last, and where all of it is.
show_tail() {
  {
    echo "factory: $1 failed (exit $3); its last lines:"
    tail -n "${FACTORY_TAIL_LINES:-40}" "$2" | sed 's/^/  | /'
    echo "  all of its output: $2"
  } >&2
}

# quietly LABEL CMD [ARGS…]: run CMD saying nothing when it succeeds; when it fails, show the tail
# of its output (and keep the whole log) and return its status.
quietly() {
  local label=$1 log status=0
  shift
  log=$(mktemp "${TMPDIR:-/tmp}/factory-${label//[^A-Za-z0-9]/-}.XXXXXX.log")
  run_logged "$log" "$@" || status=$?
  if [ "$status" -eq 0 ]; then
    rm -f "$log"
    return 0
  fi
  show_tail "$label" "$log" "$status"
  return "$status"
}

# ensure_npm_packages: `npm ci` when node_modules is missing or older than the lockfile (quiet
# unless it fails).
ensure_npm_packages() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    ${NPM_CI_STEP:-:} "npm ci"
    quietly "npm ci" npm ci --no-audit --no-fund
  fi
}

# The locks apt and dpkg take (fcntl locks, as apt's GetLock does). Overridable for tests only by
# the path list, never the mechanism.
APT_LOCK_FILES=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock)

# apt_lock_holder: "PID (NAME) on FILE" for a process holding one of apt's locks, else nothing.
# Read from /proc/locks, where the kernel lists every fcntl lock by inode.
apt_lock_holder() {
  local f inode pid
  [ -r /proc/locks ] || return 0
  for f in "${APT_LOCK_FILES[@]}"; do
    [ -e "$f" ] || continue
    inode=$(stat -c %i "$f" 2>/dev/null) || continue
    pid=$(awk -v ino=":$inode" '$2 != "->" && substr($6, length($6) - length(ino) + 1) == ino { print $5; exit }' /proc/locks)
    if [ -n "$pid" ]; then
      echo "$pid ($(cat "/proc/$pid/comm" 2>/dev/null || echo unknown)) on $f"
      return 0
    fi
  done
}

# wait_for_apt_locks DEADLINE: wait while another process holds apt's locks, until $SECONDS reaches
# DEADLINE, with a progress line every 10 s. Returns 1 (having said why) when the time ran out.
wait_for_apt_locks() {
  local deadline=$1 start=$SECONDS said=-10 holder limit=$(($1 - SECONDS))
  while holder=$(apt_lock_holder) && [ -n "$holder" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "factory: gave up waiting for the package manager after $((SECONDS - start)) s: pid $holder still holds its lock" >&2
      echo "  hint: let it finish (or stop it) and run this again; FACTORY_APT_LOCK_TIMEOUT=SECONDS waits longer (now ${FACTORY_APT_LOCK_TIMEOUT:-600})" >&2
      return 1
    fi
    if [ $((SECONDS - start - said)) -ge 10 ]; then
      said=$((SECONDS - start))
      echo "factory: waiting for another package manager to finish (pid $holder): ${said} s so far, at most ${limit} s" >&2
    fi
    sleep 1
  done
  if [ "$said" -ge 0 ]; then echo "factory: the package manager is free after $((SECONDS - start)) s" >&2; fi
  return 0
}
