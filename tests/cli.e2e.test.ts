import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { get, hangingPath, runCli, sample, startCli, tempDir } from './support.js';

/** The families a new user must see on a fresh start (METRICS.md, host section). */
const HOST_FAMILIES = [
  'proxmon_build_info',
  'proxmon_source_up',
  'proxmon_cpu_seconds_total',
  'proxmon_load1',
  'proxmon_memory_total_bytes',
  'proxmon_memory_available_bytes',
  'proxmon_filesystem_size_bytes',
  'proxmon_filesystem_avail_bytes',
  'proxmon_disk_read_bytes_total',
  'proxmon_network_receive_bytes_total',
  'proxmon_network_transmit_bytes_total',
  'proxmon_boot_time_seconds',
  'proxmon_network_latency_seconds',
];

/**
 * Lint findings we accept (promtool exit 3, format still valid): prom-client's default Node gauges
 * that end in _total, and `proxmon_cpu_count`, whose name the METRICS.md contract fixes.
 */
const ACCEPTED_LINT = [
  /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/,
  /^proxmon_cpu_count non-histogram and non-summary metrics should not have "_count" suffix$/,
];

async function waitForMetrics(
  url: string,
  ready: (text: string) => boolean,
  timeoutMs = 20_000,
): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const { text } = await get(`${url}/metrics`);
    if (ready(text)) return text;
    if (Date.now() > end) throw new Error(`metrics never became ready:\n${text.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('proxmon serve (the built CLI)', () => {
  it('serves /healthz and the host families on /metrics, valid for promtool, and stops cleanly on SIGTERM', async () => {
    const p = await startCli();
    try {
      expect((await get(`${p.url}/healthz`)).status).toBe(200);
      const text = await waitForMetrics(p.url, (t) => HOST_FAMILIES.every((f) => t.includes(`\n${f}`)));
      for (const family of HOST_FAMILIES) expect(text).toMatch(new RegExp(`^${family}[{ ]`, 'm'));

      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(check.error).toBeUndefined();
      // 1 = not valid exposition format; 3 = lint findings only.
      expect(check.status, check.stderr).not.toBe(1);
      const findings = `${check.stdout}${check.stderr}`
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      expect(findings.filter((f) => !ACCEPTED_LINT.some((a) => a.test(f)))).toEqual([]);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
    expect(p.output()).toMatch(/proxmon stopped/);
  });

  it('kills a hung tool at its timeout, marks its source down, and scrapes meanwhile stay fast', async () => {
    const config = join(tempDir('cfg'), 'proxmon.yaml');
    writeFileSync(config, 'sources:\n  sensors: { interval_seconds: 1, timeout_seconds: 1 }\n');
    const p = await startCli({ PATH: hangingPath(['sensors']), PROXMON_CONFIG: config });
    try {
      const text = await waitForMetrics(
        p.url,
        (t) => (sample(t, 'proxmon_source_errors_total', '{source="sensors"}') ?? 0) >= 2,
      );
      expect(sample(text, 'proxmon_source_up', '{source="sensors"}')).toBe(0);
      expect(sample(text, 'proxmon_source_absent', '{source="sensors"}')).toBe(0);
      expect(sample(text, 'proxmon_source_up', '{source="cpu"}')).toBe(1);
      // Each scrape is served from snapshots while the tool hangs: never anywhere near its 1 s timeout.
      const times: number[] = [];
      for (let i = 0; i < 30; i++) times.push((await get(`${p.url}/metrics`)).ms);
      expect(Math.max(...times)).toBeLessThan(500);
      // Its process group was killed each time: no pile-up of hung `sensors` processes.
      const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
      expect(ps.split('\n').filter((l) => l.trim() === 'sleep 100000').length).toBeLessThanOrEqual(1);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
  });
});

describe('bad configuration exits 2 with one clear line', () => {
  const expectConfigError = async (env: Record<string, string>, message: RegExp, args: string[] = []) => {
    const run = runCli(args, { PROXMON_PORT: '0', PROXMON_DATA_DIR: tempDir('data'), ...env });
    expect(await run.exited).toBe(2);
    const lines = run.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  };
  const configFile = (text: string) => {
    const f = join(tempDir('cfg'), 'proxmon.yaml');
    writeFileSync(f, text);
    return f;
  };

  it('unknown key', () =>
    expectConfigError(
      { PROXMON_CONFIG: configFile('prot: 1\n') },
      /^proxmon: invalid config .*Unrecognized key.*"prot"/,
    ));
  it('wrong type', () =>
    expectConfigError(
      { PROXMON_CONFIG: configFile('stale_after_intervals: many\n') },
      /^proxmon: invalid config .*: stale_after_intervals: .*expected number/,
    ));
  it('unknown source', () =>
    expectConfigError(
      { PROXMON_CONFIG: configFile('sources: { smrt: {} }\n') },
      /^proxmon: invalid config: sources\.smrt: unknown source/,
    ));
  it('unwritable data dir', () => {
    const file = join(tempDir('data'), 'not-a-dir');
    writeFileSync(file, '');
    return expectConfigError(
      { PROXMON_DATA_DIR: file },
      /^proxmon: data dir .*not-a-dir is not a directory$/,
    );
  });
  it('port in use', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expectConfigError(
        { PROXMON_PORT: String(port) },
        new RegExp(`^proxmon: port ${port} on 127\\.0\\.0\\.1 is already in use$`),
      );
    } finally {
      blocker.close();
    }
  });
  it('`config check` validates a file', async () => {
    await expectConfigError({}, /^proxmon: invalid config .*log_level/, [
      'config',
      'check',
      configFile('log_level: loud\n'),
    ]);
    const ok = runCli([
      'config',
      'check',
      configFile('port: 9100\nsources: { cpu: { interval_seconds: 2 } }\n'),
    ]);
    expect(await ok.exited).toBe(0);
    expect(ok.output()).toMatch(/^config ok: /);
  });
});

it('`proxmon version` prints the version', async () => {
  const run = runCli(['version']);
  expect(await run.exited).toBe(0);
  expect(run.output()).toMatch(/^proxmon \d+\.\d+\.\d+ \(node v20/);
});
