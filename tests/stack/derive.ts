import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { alertmanagerConfig, prometheusConfig, rulesDir, yamlFiles } from './paths.js';

/**
 * The end-to-end test runs the shipped deploy/prometheus/prometheus.yml and alerting/alertmanager.yml,
 * changing only what must differ on a test machine: addresses, file locations and timings. Each
 * change first checks the value it replaces, so a reshaped shipped file fails here loudly instead of
 * being silently tested in a different shape.
 */

interface PrometheusYaml {
  global: Record<string, string>;
  rule_files: string[];
  alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
  scrape_configs: Array<{
    job_name: string;
    honor_labels?: boolean;
    file_sd_configs?: Array<{ files: string[] }>;
    relabel_configs?: unknown[];
  }>;
}

interface AlertmanagerYaml {
  route: {
    receiver: string;
    group_by: string[];
    group_wait: string;
    group_interval: string;
    repeat_interval: string;
  };
  receivers: Array<{
    name: string;
    webhook_configs: Array<{ url: string; http_config: { authorization: { credentials_file: string } } }>;
  }>;
}

function expectValue(what: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    throw new Error(
      `shipped config changed: ${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
    );
}

export interface Target {
  address: string;
  node: string;
}

/** Writes the file_sd targets file: one entry per exporter, labelled with its node. */
export function writeTargets(file: string, targets: Target[]): void {
  writeFileSync(file, stringify(targets.map((t) => ({ targets: [t.address], labels: { node: t.node } }))));
}

/**
 * Writes prometheus.yml into `dir`: 2 s scrapes, 1 s evaluations, the local Alertmanager, targets
 * from the returned file (empty until `writeTargets`; file discovery picks changes up while running),
 * and copies of the shipped rules with every `for` removed, so an alert fires on the first evaluation
 * that sees its condition (the shipped durations are covered by the promtool tests).
 */
export function derivePrometheusConfig(
  dir: string,
  alertmanager: string,
): { config: string; targets: string } {
  const config = parse(readFileSync(prometheusConfig, 'utf8')) as PrometheusYaml;
  expectValue('rule_files', config.rule_files, ['../../alerting/rules/*.yml']);
  const rules = join(dir, 'rules');
  mkdirSync(rules, { recursive: true });
  for (const file of yamlFiles(rulesDir)) {
    const doc = parse(readFileSync(file, 'utf8')) as {
      groups: Array<{ rules: Array<Record<string, unknown>> }>;
    };
    for (const group of doc.groups) for (const rule of group.rules) delete rule.for;
    writeFileSync(join(rules, basename(file)), stringify(doc));
  }
  config.rule_files = [join(rules, '*.yml')];
  // 2 s scrapes leave a loaded machine time to answer; rules are evaluated every second.
  config.global = { scrape_interval: '2s', scrape_timeout: '2s', evaluation_interval: '1s' };

  const am = config.alerting.alertmanagers[0]?.static_configs[0];
  expectValue('alertmanager targets', am?.targets, ['alertmanager:9093']);
  if (am) am.targets = [alertmanager];

  const job = config.scrape_configs.find((j) => j.job_name === 'proxmon');
  expectValue('proxmon job file_sd', job?.file_sd_configs, [{ files: ['targets/*.yml'] }]);
  expectValue('proxmon job honor_labels', job?.honor_labels, true);
  if (!job?.relabel_configs?.length)
    throw new Error('shipped config changed: proxmon job lost its relabel_configs');
  const targetsDir = join(dir, 'targets');
  mkdirSync(targetsDir, { recursive: true });
  const targets = join(targetsDir, 'stack.yml');
  writeTargets(targets, []);
  job.file_sd_configs = [{ files: [join(targetsDir, '*.yml')] }];

  const out = join(dir, 'prometheus.yml');
  writeFileSync(out, stringify(config));
  return { config: out, targets };
}

/**
 * Writes alertmanager.yml into `dir`: the shipped routes, inhibitions and receiver, with the receiver
 * posting to `receiverUrl` with the token in `tokenFile`, and short grouping so notifications go out
 * soon. Not 1 s: Alertmanager gives each notification until the next group interval, and a loaded
 * machine's exporter can take longer than 1 s to answer.
 */
export function deriveAlertmanagerConfig(dir: string, receiverUrl: string, tokenFile: string): string {
  const config = parse(readFileSync(alertmanagerConfig, 'utf8')) as AlertmanagerYaml;
  expectValue('group_by', config.route.group_by, ['node', 'alertname']);
  const hook = config.receivers.find((r) => r.name === config.route.receiver)?.webhook_configs[0];
  if (!hook) throw new Error('shipped config changed: the route receiver has no webhook');
  expectValue('receiver url', new URL(hook.url).pathname, '/api/notifications/alertmanager');
  hook.url = receiverUrl;
  hook.http_config.authorization.credentials_file = tokenFile;
  Object.assign(config.route, { group_wait: '1s', group_interval: '5s', repeat_interval: '1h' });
  const out = join(dir, 'alertmanager.yml');
  writeFileSync(out, stringify(config));
  return out;
}
