import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository paths the stack tests read (never the shared folder outside the repo: everything they need is in the repo). */
export const repo = fileURLToPath(new URL('../..', import.meta.url));
export const alertingDir = join(repo, 'alerting');
export const rulesDir = join(alertingDir, 'rules');
export const ruleTestsDir = join(alertingDir, 'tests');
export const alertmanagerConfig = join(alertingDir, 'alertmanager.yml');
export const prometheusConfig = join(repo, 'deploy/prometheus/prometheus.yml');
export const runbooksDir = join(repo, 'docs/runbooks');
export const dashboardsDir = join(repo, 'dashboards');
export const metricsCatalogue = join(repo, 'docs/METRICS.md');

export const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
