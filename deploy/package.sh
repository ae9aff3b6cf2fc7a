#!/usr/bin/env bash
# Builds a self-contained release: dist/proxmon-<version>-linux-<arch>.tar.gz with the built exporter,
# its production node_modules (native modules compiled for the bundled node), the node binary that
# built them, and deploy/ (systemd unit, install script, fail2ban, examples). `npm run package`.
#   --stage DIR   assemble the release tree in DIR and stop (no tarball); used by tests/stack/deploy.test.ts
# PROXMON_PACKAGE_NO_BUILD=1 packages the exporter/dist already built.
set -euo pipefail
cd "$(dirname "$0")/.."

stage_only=""
if [ "${1:-}" = "--stage" ]; then stage_only=${2:?--stage needs a directory}; fi

version=$(node -p 'require("./package.json").version')
arch=$(node -p 'process.arch')
name="proxmon-${version}-linux-${arch}"

[ -n "${PROXMON_PACKAGE_NO_BUILD:-}" ] || npm run build --silent

if [ -n "$stage_only" ]; then root=$stage_only; else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  root="$tmp/$name"
fi
mkdir -p "$root/bin" "$root/exporter" "$root/node_modules"

cp -a exporter/dist "$root/exporter/dist"
# Data files read at run time (tsc copies only code).
cp exporter/src/oci/catalogue.json "$root/exporter/dist/oci/"
cp exporter/package.json "$root/exporter/"
cp package.json README.md "$root/"
cp "$(command -v node)" "$root/bin/node"
mkdir -p "$root/deploy"
cp -a deploy/install.sh deploy/proxmon.example.yaml deploy/systemd deploy/fail2ban deploy/reverse-proxy "$root/deploy/"

# The exporter's production dependency tree, exactly as installed and tested here (npm ls resolves
# hoisting); the workspace link to the exporter itself is left out.
npm ls --workspace exporter --omit=dev --all --parseable |
  sed -n "s#^$PWD/node_modules/##p" |
  grep -v '^@proxmon/exporter$' |
  sort -u |
  while read -r dep; do
    mkdir -p "$root/node_modules/$(dirname "$dep")"
    [ -e "$root/node_modules/$dep" ] || cp -a "node_modules/$dep" "$root/node_modules/$dep"
  done

if [ -n "$stage_only" ]; then
  echo "staged $name in $root"
  exit 0
fi
mkdir -p dist
tar -C "$tmp" -czf "dist/$name.tar.gz" "$name"
echo "dist/$name.tar.gz"
