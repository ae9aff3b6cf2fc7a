#!/usr/bin/env bash
# Everything CI checks, in order of speed: real tools installed, types, lint and format, then tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
echo "== typecheck"
npx tsc -p exporter --noEmit
npx tsc -p scripts --noEmit
npm run typecheck --silent -w grafana-app-plugin
echo "== lint"
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
npm run lint --silent -w grafana-app-plugin
echo "== build"
npm run build --silent
npm run build --silent -w grafana-app-plugin
echo "== tests"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
set +e
npx vitest run --reporter=default --reporter=./scripts/summary-reporter.ts | tee "$out/vitest.log"
vitest_rc=${PIPESTATUS[0]}
echo "== plugin tests (jest, against a real exporter)"
npm run test:ci --silent -w grafana-app-plugin -- --json --outputFile="$out/jest.json"
jest_rc=$?
set -e
# One closing `N passed, N failed` line for both runners; a runner that died before counting is a failure.
node -e '
const fs = require("fs");
const [log, json, vitestRc, jestRc] = process.argv.slice(1);
const v = /tests: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(fs.readFileSync(log, "utf8"));
let j;
try { j = JSON.parse(fs.readFileSync(json, "utf8")); } catch { j = undefined; }
const passed = (v ? +v[1] : 0) + (j ? j.numPassedTests : 0);
const failed = (v ? +v[2] : 1) + (j ? j.numFailedTests + j.numRuntimeErrorTestSuites : 1);
const skipped = (v && v[3] ? +v[3] : 0) + (j ? j.numPendingTests + j.numTodoTests : 0);
const bad = failed > 0 || vitestRc !== "0" || jestRc !== "0";
// The names of what failed, again at the very end: CI shows only the tail of a long log.
const names = (fs.readFileSync(log, "utf8").match(/^failed: .*$/gm) ?? []).map((l) => `vitest ${l}`);
for (const file of j ? j.testResults : []) {
  const reason = (m) => (m || "").replace(/\x1b\[[0-9;]*m/g, "").replace(/\s*\n\s*/g, " | ").slice(0, 1500);
  for (const t of file.assertionResults) if (t.status === "failed") names.push(`jest failed: ${file.name.replace(process.cwd() + "/", "")} > ${t.fullName}: ${reason(t.failureMessages[0])}`);
  if (file.status === "failed" && file.assertionResults.length === 0) names.push(`jest failed: ${file.name}: ${(file.message || "").split("\n").find((l) => l.trim()) || ""}`);
}
process.stdout.write(`\n${names.map((n) => n + "\n").join("")}tests: ${passed} passed, ${Math.max(failed, bad ? 1 : 0)} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
process.exit(bad ? 1 : 0);
' "$out/vitest.log" "$out/jest.json" "$vitest_rc" "$jest_rc"
