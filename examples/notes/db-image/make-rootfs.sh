#!/bin/sh
# Writes the database image's root filesystem as a tar (the db-rootfs setup step), from the
# statically linked busybox of Debian's busybox-static: no registry, no download.
# Usage: make-rootfs.sh <out.tar>
set -eu
out="${1:?usage: make-rootfs.sh <out.tar>}"
here="$(cd "$(dirname "$0")" && pwd)"
busybox=/bin/busybox
if ! [ -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
  echo "notes: a static busybox is needed: apt-get install busybox-static" >&2
  exit 1
fi
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/usr" "$root/data"
cp "$busybox" "$root/bin/busybox"
for applet in sh ls cat echo mkdir test; do ln -s busybox "$root/bin/$applet"; done
cp "$here/pg-entry" "$here/pg-ready" "$root/bin/"
chmod 755 "$root/bin/pg-entry" "$root/bin/pg-ready"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
printf 'root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999:postgres:/data:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\npostgres:x:999:\n' > "$root/etc/group"
chmod 1777 "$root/tmp"
# Everything owned by root, except /data: the volume is seeded from it, and postgres (999) writes there.
tar -C "$root" --numeric-owner --owner=0 --group=0 --exclude=./data -cf "$out.tmp" .
tar -C "$root" --numeric-owner --owner=999 --group=999 --no-recursion -rf "$out.tmp" ./data
mv "$out.tmp" "$out"
echo "wrote $out"
