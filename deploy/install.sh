#!/usr/bin/env bash
# Installs proxmon on a Proxmox VE host, as root, from an extracted release (npm run package), or with
# --build from a fresh source clone (needs Node.js >= 20.19 and npm; runs npm ci, builds, and prunes the
# clone's node_modules to production dependencies):
#   - the host tools proxmon reads, when missing: smartmontools, lm-sensors, ipmitool, nut-client, fail2ban
#   - the application in /opt/proxmon, the config /etc/proxmon/proxmon.yaml (kept when present)
#   - the data dir /var/lib/proxmon/data with proxmon's auth.log for fail2ban
#   - the systemd unit proxmon.service (enabled and started) and the fail2ban filter and jail
# Options: --root DIR installs into DIR as if it were / (no apt, no systemctl; for packaging and tests),
#          --no-deps skips apt, --no-start leaves the service stopped, --build builds a source clone.
set -euo pipefail

root="" deps=1 start=1 build=0
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=${2:?--root needs a directory}; deps=0; start=0; shift ;;
    --no-deps) deps=0 ;;
    --no-start) start=0 ;;
    --build) build=1 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

src=$(cd "$(dirname "$0")/.." && pwd)
prefix="$root/opt/proxmon"
etc="$root/etc/proxmon"
data="$root/var/lib/proxmon/data"
say() { echo "proxmon install: $*"; }

if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then echo "install.sh: run as root" >&2; exit 1; fi
[ -z "$root" ] && ! command -v pveversion >/dev/null && say "warning: pveversion not found; this is not a Proxmox VE host"

if [ "$deps" = 1 ]; then
  declare -A need=([smartctl]=smartmontools [sensors]=lm-sensors [ipmitool]=ipmitool [upsc]=nut-client [fail2ban-client]=fail2ban)
  missing=()
  for cmd in "${!need[@]}"; do command -v "$cmd" >/dev/null || missing+=("${need[$cmd]}"); done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

if [ -x "$src/bin/node" ] && [ -f "$src/exporter/dist/cli.js" ]; then
  say "installing the release in $src"
elif [ "$build" = 0 ]; then
  echo "install.sh: $src is not a release (no bin/node); run it from an extracted npm run package tarball, or pass --build in a fresh clone" >&2
  exit 1
else
  say "building from the source checkout in $src"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
    { echo "install.sh: Node.js >= 20.19 is needed to build from source (or use a release tarball)" >&2; exit 1; }
  (cd "$src" && npm ci && npm run build --silent && npm prune --omit=dev)
  mkdir -p "$src/bin"
  ln -sf "$(command -v node)" "$src/bin/node"
fi

install -d -m 0755 "$prefix" "$etc"
rm -rf "$prefix/exporter" "$prefix/node_modules" "$prefix/bin"
cp -a "$src/exporter" "$prefix/exporter"
rm -rf "$prefix/exporter/src" "$prefix/exporter/node_modules"
cp -aL "$src/bin" "$prefix/bin"
cp -a "$src/node_modules" "$prefix/node_modules"
rm -f "$prefix/node_modules/@proxmon/exporter"
cp "$src/package.json" "$prefix/"

if [ ! -f "$etc/proxmon.yaml" ]; then
  install -m 0640 "$src/deploy/proxmon.example.yaml" "$etc/proxmon.yaml"
  say "wrote $etc/proxmon.yaml"
fi
install -d -m 0750 "$root/var/lib/proxmon" "$data"
# fail2ban does not start a jail whose log file does not exist yet.
[ -f "$data/auth.log" ] || install -m 0640 /dev/null "$data/auth.log"

install -D -m 0644 "$src/deploy/systemd/proxmon.service" "$root/etc/systemd/system/proxmon.service"
install -D -m 0644 "$src/deploy/fail2ban/filter.d/proxmon.conf" "$root/etc/fail2ban/filter.d/proxmon.conf"
install -D -m 0644 "$src/deploy/fail2ban/jail.d/proxmon.conf" "$root/etc/fail2ban/jail.d/proxmon.conf"

if [ "$start" = 1 ]; then
  systemctl daemon-reload
  systemctl enable --now proxmon.service
  systemctl reload-or-restart fail2ban.service || say "warning: fail2ban did not reload"
  say "proxmon runs on port 8008; the first-start setup token is in /var/lib/proxmon/data (see the README)"
else
  say "installed in ${root:-/}; start it with: systemctl daemon-reload && systemctl enable --now proxmon"
fi
