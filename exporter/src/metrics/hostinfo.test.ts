import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import type { HostInfo } from '../sources/hostinfo/index.js';
import { osPrettyName, parseOsRelease, parsePveVersion, parseUptime } from '../sources/hostinfo/parse.js';
import { metricNames, registerHostInfoMetrics } from './hostinfo.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../sources/hostinfo/fixtures/${name}`, import.meta.url), 'utf8');

function hostFromFixtures(): HostInfo {
  const uptime = parseUptime(fixture('proc-uptime.txt'));
  const pve = parsePveVersion(fixture('pveversion-pve832.txt'));
  if (!uptime.ok || !pve.ok) throw new Error('fixtures do not parse');
  return {
    hostname: fixture('proc-sys-kernel-hostname.txt').trim(),
    kernel: fixture('proc-sys-kernel-osrelease.txt').trim(),
    os: osPrettyName(parseOsRelease(fixture('os-release-debian12.txt'))),
    pveVersion: pve.value.version,
    uptimeSeconds: uptime.value,
  };
}

async function render(info: HostInfo | undefined): Promise<string[]> {
  const cache = new SnapshotCache(() => 1_000);
  cache.register('hostinfo', 900_000);
  if (info) cache.recordSuccess('hostinfo', info, 0.01);
  const registry = new Registry();
  registerHostInfoMetrics(registry, cache);
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('host info metrics', () => {
  it('renders the identity and the uptime', async () => {
    expect(await render(hostFromFixtures())).toEqual([
      'proxmon_host_info{hostname="vm",kernel="6.18.44-fc-v782",os="Debian GNU/Linux 12 (bookworm)",pve_version="8.3.2"} 1',
      'proxmon_host_uptime_seconds 755.13',
    ]);
  });

  it('renders no identity without a fresh snapshot', async () => {
    expect((await render(undefined)).filter((l) => l.startsWith('proxmon_host_info'))).toEqual([]);
  });

  // prom-client seeds a label-less gauge with 0 on reset, so snapshotGauge (define.ts) renders an
  // unknown uptime as 0. Marked `fails` until define.ts drops that seed; then flip it to `it`.
  it('renders no uptime without a fresh snapshot', async () => {
    expect(await render(undefined)).toEqual([]);
  });

  it('registers exactly the names it declares', () => {
    const registry = new Registry();
    registerHostInfoMetrics(registry, new SnapshotCache());
    expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual([...metricNames]);
  });
});
