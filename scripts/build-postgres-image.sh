#!/usr/bin/env bash
# Builds a local stand-in for the official postgres image from Debian's own packages, for machines
# that reach Debian's mirror but no image registry:
#
#   scripts/build-postgres-image.sh SUITE     bullseye -> 13, bookworm -> 15, trixie -> 17
#
# The image is tagged counterbench/postgres:MAJOR and labelled org.counterbench.image, so that
# COUNTERBENCH_IMAGES=postgres:15=counterbench/postgres:15 lets `run --target docker:postgres:15`
# use it. Its entrypoint honours the official image's POSTGRES_USER, POSTGRES_PASSWORD,
# POSTGRES_DB and PGPORT, and passes a "postgres -c ..." command through, so the harness starts
# either image the same way.
#
# An image already in the daemon is kept (a cache between local runs); --force rebuilds it.
# Builds of different suites run in parallel; two builds of one suite wait for each other.
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian), COUNTERBENCH_BUILD_DIR (where
# the root file systems are built, default /var/tmp).
set -euo pipefail

usage() { echo "usage: $0 SUITE [--force]   (SUITE: bullseye, bookworm or trixie)" >&2; exit 2; }
[ $# -ge 1 ] || usage
suite=$1
force=${2:-}
[ -z "$force" ] || [ "$force" = --force ] || usage
case "$suite" in
  bullseye) major=13 ;;
  bookworm) major=15 ;;
  trixie) major=17 ;;
  *) echo "$0: unknown suite '$suite': expected bullseye (13), bookworm (15) or trixie (17)" >&2; exit 2 ;;
esac
tag="counterbench/postgres:$major"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

for tool in docker debootstrap flock; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is not installed (apt-get install docker.io debootstrap util-linux)" >&2; exit 2; }
done
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || {
  echo "$0: no Docker engine answers (start one: dockerd --bridge=none --iptables=false &)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: debootstrap needs root" >&2; exit 2; }

exec 9>"/tmp/counterbench-image-$suite.lock"
flock 9
if [ "$force" != --force ] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag: already built ($(docker image inspect -f '{{index .Config.Labels "org.counterbench.built"}}' "$tag"))"
  exit 0
fi

started=$(date +%s)
work=$(mktemp -d "${COUNTERBENCH_BUILD_DIR:-/var/tmp}/counterbench-rootfs-$suite.XXXXXX")
# debootstrap mounts /proc and /sys in the chroot while it installs: a build that stops halfway
# may leave them, and removing the tree must not reach through them into the host's.
cleanup() {
  if [ -d "$work/root" ]; then
    { grep -o " $work/root[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  fi
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
root="$work/root"

# minbase: essential packages and apt only; postgresql-MAJOR pulls its own dependencies (its
# contrib, pg_stat_statements included, is part of it since 10). Recommends are not installed.
debootstrap --variant=minbase --include="postgresql-$major" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 20 "$work/debootstrap.log" >&2
  echo "$0: debootstrap of $suite failed (log above)" >&2
  exit 1
}

# The package's postinst made a cluster; the entrypoint makes its own from the environment.
rm -rf "$root/var/lib/postgresql/$major" "$root/etc/postgresql/$major"
# What a server never reads: documentation, manuals, translations, apt's lists and downloads.
rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/info" "$root/usr/share/locale" \
  "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/* "$root/var/log"/*.log
rm -f "$root/etc/resolv.conf" "$root/etc/hostname"

cat >"$root/usr/local/bin/counterbench-entrypoint" <<EOF
#!/bin/sh
# Like the official image's entrypoint: a cluster made from POSTGRES_USER, POSTGRES_PASSWORD and
# POSTGRES_DB on the first start, then "postgres ARGS" (the official image's command form).
set -eu
bin=/usr/lib/postgresql/$major/bin
EOF
cat >>"$root/usr/local/bin/counterbench-entrypoint" <<'EOF'
: "${PGDATA:=/var/lib/postgresql/data}"
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    "$bin/initdb" -D "$PGDATA" -U "$user" -E UTF8 --no-locale --no-sync --auth-local=trust --auth-host=scram-sha-256 --pwfile="$pwfile" >/dev/null
  else
    # the official image asks for POSTGRES_HOST_AUTH_METHOD=trust here; loopback-only, so trust
    "$bin/initdb" -D "$PGDATA" -U "$user" -E UTF8 --no-locale --no-sync --auth=trust >/dev/null
  fi
  rm -f "$pwfile"
  if [ "$db" != postgres ]; then
    echo "CREATE DATABASE \"$db\"" | "$bin/postgres" --single -D "$PGDATA" postgres >/dev/null
  fi
fi
[ "${1:-}" = postgres ] && shift
exec "$bin/postgres" -D "$PGDATA" "$@"
EOF
chmod 755 "$root/usr/local/bin/counterbench-entrypoint"
mkdir -p "$root/var/run/postgresql"
chroot "$root" chown postgres:postgres /var/run/postgresql /var/lib/postgresql

version=$(chroot "$root" dpkg-query -W -f '${Version}' "postgresql-$major")
built="postgresql-$major $version from Debian $suite, built $(date -u +%Y-%m-%dT%H:%M:%SZ)"
tar -C "$root" -c . | docker import \
  --change "LABEL org.counterbench.image=postgres org.counterbench.built=\"$built\"" \
  --change "ENV PATH=/usr/lib/postgresql/$major/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PGDATA=/var/lib/postgresql/data" \
  --change 'USER postgres' \
  --change 'ENTRYPOINT ["/usr/local/bin/counterbench-entrypoint"]' \
  --change 'CMD ["postgres"]' \
  - "$tag" >/dev/null
echo "$tag: $built in $(( $(date +%s) - started )) s ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%d MB", $1/1e6}'))"
