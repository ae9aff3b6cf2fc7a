import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'proxmon-config-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('loadConfig', () => {
  it('has a complete embedded default', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8008,
      host: '0.0.0.0',
      data_dir: './data',
      paths: { procfs: '/proc', sysfs: '/sys', rootfs: '/' },
      latency_targets: [],
      metrics: { per_cpu: 'auto', max_age_seconds: 5 },
    });
  });

  it('reads every setting from the YAML file, and the environment wins', () => {
    const f = file(
      'ok.yaml',
      [
        'port: 9000',
        'data_dir: /var/lib/proxmon',
        'paths: { procfs: /host/proc }',
        'tools: { smartctl: /opt/smartctl }',
        'sources: { cpu: { interval_seconds: 2 } }',
        'latency_targets: [10.0.0.1]',
      ].join('\n'),
    );
    const c = loadConfig({
      PROXMON_CONFIG: f,
      PROXMON_PORT: '9100',
      PROXMON_LATENCY_TARGETS: '127.0.0.1, ::1',
    });
    expect(c.port).toBe(9100);
    expect(c.data_dir).toBe('/var/lib/proxmon');
    expect(c.paths).toEqual({ procfs: '/host/proc', sysfs: '/sys', rootfs: '/' });
    expect(c.tools).toEqual({ smartctl: '/opt/smartctl' });
    expect(c.sources.cpu).toEqual({ interval_seconds: 2 });
    expect(c.latency_targets).toEqual(['127.0.0.1', '::1']);
  });

  it.each([
    ['unknown key', 'prot: 8008', /prot|Unrecognized key/],
    ['nested unknown key', 'metrics: { per_cpus: true }', /metrics: .*per_cpus/],
    ['wrong type', 'port: "eighty"', /port: .*number/],
    ['out of range', 'port: 70000', /port: /],
    [
      'bad regex',
      'filesystems: { exclude_fs_types: "(" }',
      /filesystems\.exclude_fs_types: not a valid regular expression/,
    ],
    ['not a mapping', '- a\n- b', /must be a YAML mapping/],
    ['not YAML', 'port: [1', /not valid YAML/],
  ])('rejects a file with %s in one clear line', (_name, text, message) => {
    const f = file('bad.yaml', text);
    let err: unknown;
    try {
      loadConfig({ PROXMON_CONFIG: f });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('rejects a bad environment value', () => {
    expect(() => loadConfig({ PROXMON_PORT: 'http' })).toThrow(/port: .*number/);
    expect(() => loadConfig({ PROXMON_LOG_LEVEL: 'loud' })).toThrow(/log_level/);
  });

  it('says which file it could not read', () => {
    expect(() => loadConfig({ PROXMON_CONFIG: join(dir, 'missing.yaml') })).toThrow(
      /cannot read config file .*missing\.yaml/,
    );
  });
});
