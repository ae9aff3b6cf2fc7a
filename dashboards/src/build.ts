// Writes dashboards/*.json from the TypeScript definitions: `node --import tsx dashboards/src/build.ts`.
// With --check it writes nothing and exits 1 when a committed file differs from what it would write.
import { readFileSync, writeFileSync } from 'node:fs';
import { buildDashboard, dashboardSpecs, dashboardsDir, renderDashboard } from './index.js';

const check = process.argv.includes('--check');
let stale = 0;
for (const { file, spec } of dashboardSpecs) {
  const url = new URL(file, dashboardsDir);
  const text = await renderDashboard(buildDashboard(spec));
  let current = '';
  try {
    current = readFileSync(url, 'utf8');
  } catch {
    // a new dashboard
  }
  if (current === text) continue;
  if (check) {
    process.stderr.write(`dashboards/${file} is out of date: run npm run dashboards\n`);
    stale++;
  } else {
    writeFileSync(url, text);
    process.stdout.write(`wrote dashboards/${file}\n`);
  }
}
process.exitCode = stale ? 1 : 0;
