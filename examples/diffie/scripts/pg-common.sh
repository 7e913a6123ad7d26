# Sourced by the PostgreSQL scripts: finds the server binaries and decides how to run them.
#
# initdb and postgres refuse to run as root. The usual answer, `runuser -u postgres`, needs the
# postgres user to traverse every directory above the data dir, which fails for a repository under
# /root (mode 700), and runuser stays as a parent process, so the supervisor would not own postgres.
# Instead, as root we run them in a new user namespace where our uid 0 is mapped to the postgres
# user's uid (`unshare --map-user`): postgres sees itself as "postgres" and starts, while the kernel
# checks file access as the real uid 0, the owner of every directory on the path. Files stay owned
# by root outside, so `factory clean` and `cp -a` need nothing special. unshare execs (no extra
# process). As a normal user, the binaries run directly.

PGBIN="${PGBIN:-}"
if [ -z "$PGBIN" ]; then
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/postgres" ] && PGBIN="$dir"; done
fi
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/postgres" ]; then
  echo "diffie: PostgreSQL server binaries not found (set PGBIN or run scripts/ensure-system.sh)" >&2
  exit 127
fi
PG_MAJOR="$("$PGBIN/postgres" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)?.*/\1/')"

as_pg=()
if [ "$(id -u)" = "0" ]; then
  pg_user=postgres
  id -u "$pg_user" >/dev/null 2>&1 || pg_user=nobody
  as_pg=(unshare "--map-user=$(id -u "$pg_user")" "--map-group=$(id -g "$pg_user")" --)
fi

# initdb into $1 (atomically: a half-made cluster is never left at $1).
pg_initdb() {
  local dest="$1"
  rm -rf "$dest.tmp"
  mkdir -p "$(dirname "$dest")"
  "${as_pg[@]}" "$PGBIN/initdb" -D "$dest.tmp" -A trust -U app -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  mv "$dest.tmp" "$dest"
}
