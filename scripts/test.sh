#!/usr/bin/env bash
# Everything CI checks, in order of speed: real tools installed, types, lint and format, then tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
echo "== typecheck"
npx tsc -p exporter --noEmit
npx tsc -p scripts --noEmit
echo "== lint"
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
echo "== build"
npm run build --silent
echo "== tests"
npx vitest run --reporter=default --reporter=./scripts/summary-reporter.ts
