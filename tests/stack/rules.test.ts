import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repo, ruleTestsDir, rulesDir, runbooksDir, yamlFiles } from './paths.js';
import { allRules, loadRuleFiles } from './rules.js';

const run = promisify(execFile);

/** Where runbook_url points: the repository's docs/runbooks, one section per alert. */
const RUNBOOK_BASE = 'https://github.com/proxmon/proxmon/blob/main/docs/runbooks/';
const SEVERITIES = ['critical', 'warning', 'info'];

interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts?: unknown[];
}
interface TestFile {
  rule_files: string[];
  tests: Array<{ name: string; alert_rule_test?: AlertTest[] }>;
}

const testFiles = yamlFiles(ruleTestsDir);
const ruleTests = testFiles.flatMap((file) =>
  (parse(readFileSync(file, 'utf8')) as TestFile).tests.flatMap((t) => t.alert_rule_test ?? []),
);

/** GitHub's heading anchor: lower case, spaces to dashes, punctuation dropped. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');

describe('alert rules (alerting/rules)', () => {
  it('pass promtool check rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', ...yamlFiles(rulesDir)]);
    expect(stdout).not.toMatch(/FAILED/);
  });

  it('pass their promtool unit tests (alerting/tests)', { timeout: 120_000 }, async () => {
    const r = await run('promtool', ['test', 'rules', ...testFiles], { maxBuffer: 1 << 24 }).catch(
      (err: { stdout?: string; stderr?: string }) => {
        throw new Error(`promtool test rules failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
      },
    );
    expect(r.stdout.match(/SUCCESS/g)).toHaveLength(testFiles.length);
  });

  it('have a test file per rule file, each loading only its rule file', () => {
    const tested = testFiles.map((f) => (parse(readFileSync(f, 'utf8')) as TestFile).rule_files);
    expect(tested).toEqual(loadRuleFiles().map((f) => [`../rules/${f.file.slice(rulesDir.length + 1)}`]));
  });

  it('test every alert both firing and not firing', () => {
    for (const name of new Set(allRules().map((r) => r.alert))) {
      const cases = ruleTests.filter((t) => t.alertname === name);
      expect(
        cases.some((t) => (t.exp_alerts ?? []).length > 0),
        `${name} never fires in a test`,
      ).toBe(true);
      expect(
        cases.some((t) => (t.exp_alerts ?? []).length === 0),
        `${name} has no quiet case`,
      ).toBe(true);
    }
  });

  it('follow the mixin conventions: CamelCase Proxmon name, severity, summary, description', () => {
    const rules = allRules();
    expect(rules.length).toBeGreaterThanOrEqual(35);
    for (const r of rules) {
      expect(r.alert).toMatch(/^Proxmon[A-Z][A-Za-z]+$/);
      expect(SEVERITIES, r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toMatch(/^[A-Za-z].*\.$/);
      expect(r.annotations?.description, r.alert).toMatch(/\{\{ \$labels\.node \}\}/);
    }
  });

  it('link every alert to its runbook section in docs/runbooks', () => {
    for (const r of allRules()) {
      const url = r.annotations?.runbook_url ?? '';
      expect(url.startsWith(RUNBOOK_BASE), `${r.alert}: ${url}`).toBe(true);
      const [file = '', hash = ''] = url.slice(RUNBOOK_BASE.length).split('#');
      const path = join(runbooksDir, file);
      expect(existsSync(path), `${r.alert}: ${path}`).toBe(true);
      const headings = readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('## '))
        .map((l) => anchor(l.slice(3)));
      expect(hash).toBe(r.alert.toLowerCase());
      expect(headings, `${r.alert} has no section in ${file}`).toContain(hash);
    }
  });

  it('keep the ones the issue asks for', () => {
    const names = new Set(allRules().map((r) => r.alert));
    for (const wanted of [
      'ProxmonExporterDown',
      'ProxmonSourceDown',
      'ProxmonFilesystemSpaceFillingUp',
      'ProxmonFilesystemAlmostOutOfSpace',
      'ProxmonMemoryHighUtilization',
      'ProxmonCpuHighUsage',
      'ProxmonCpuTemperatureHigh',
      'ProxmonDiskTemperatureHigh',
      'ProxmonGpuTemperatureHigh',
      'ProxmonDiskSmartFailed',
      'ProxmonDiskReallocatedSectorsGrowing',
      'ProxmonDiskPendingSectorsGrowing',
      'ProxmonDiskWearHigh',
      'ProxmonNvmeCriticalWarning',
      'ProxmonZfsPoolDegraded',
      'ProxmonZfsPoolFaulted',
      'ProxmonZfsVdevErrors',
      'ProxmonZfsScrubOverdue',
      'ProxmonZfsResilverInProgress',
      'ProxmonUpsOnBattery',
      'ProxmonUpsLowBattery',
      'ProxmonUpsBatteryNeedsReplacing',
      'ProxmonGuestOnbootDown',
      'ProxmonGuestBackupMissing',
      'ProxmonGuestBackupStale',
      'ProxmonStorageUnavailable',
      'ProxmonStorageAlmostFull',
      'ProxmonReplicationFailed',
      'ProxmonClusterNotQuorate',
      'ProxmonHealthCategoryCritical',
      'ProxmonNotificationOutboxStuck',
    ])
      expect(names, wanted).toContain(wanted);
  });

  it('fire low battery on the LB flag being set, never on it being clear', () => {
    const lowBattery = allRules().find((r) => r.alert === 'ProxmonUpsLowBattery');
    expect(lowBattery?.expr).toMatch(/flag="LB"\}\s*==\s*1/);
    expect(lowBattery?.expr).not.toMatch(/flag="LB"\}\s*==\s*0/);
  });

  it('lists every alert in the runbook index', () => {
    const index = readFileSync(join(repo, 'docs/runbooks/README.md'), 'utf8');
    for (const name of new Set(allRules().map((r) => r.alert))) expect(index).toContain(name);
  });
});
