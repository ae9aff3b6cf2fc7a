#!/usr/bin/env bash
# Installs the Debian packages the tests and the benchmark run for real, when they are missing.
# Idempotent and quick when everything is there; needs root (or sudo) only when something is missing.
set -euo pipefail

# command that must exist -> Debian package that provides it
declare -A need=(
  [promtool]=prometheus
  [ping]=iputils-ping
  [fail2ban-server]=fail2ban
  [openssl]=openssl
  [/lib/nut/upsd]=nut-server
  [upsc]=nut-client
  [/lib/systemd/systemd-journal-remote]=systemd-journal-remote
  [apprise]=apprise
  [amtool]=prometheus-alertmanager
  [/usr/bin/chromium]=chromium
)

missing=()
for cmd in "${!need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || [ -x "$cmd" ] || missing+=("${need[$cmd]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "install-test-deps: missing ${missing[*]}; run as root or install them: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-test-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
${SUDO:-} apt-get update -qq
# --no-install-recommends: prometheus would otherwise pull in node-exporter's collectors and more.
${SUDO:-} apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
