import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import { APT_SOURCE, type AptSnapshot } from '../sources/apt/index.js';
import { parseAptSimulation } from '../sources/apt/parse.js';
import { SERVICES_SOURCE, type ServicesSnapshot } from '../sources/services/index.js';
import { parseSystemctlShow } from '../sources/services/parse.js';
import { metricNames, registerServicesMetrics } from './services.js';

const PVE = ['pveproxy', 'pvedaemon', 'pvestatd', 'pve-cluster', 'corosync'];
const fixture = (source: string, file: string) =>
  readFileSync(new URL(`../sources/${source}/fixtures/${file}`, import.meta.url), 'utf8');

function services(file: string, units = PVE): ServicesSnapshot {
  const r = parseSystemctlShow(fixture('services', file), units);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function apt(file: string): AptSnapshot {
  const r = parseAptSimulation(fixture('apt', file));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function render(values: { services?: ServicesSnapshot; apt?: AptSnapshot }): Promise<string[]> {
  const cache = new SnapshotCache(() => 0);
  cache.register(SERVICES_SOURCE, 60_000);
  cache.register(APT_SOURCE, 172_800_000);
  if (values.services) cache.recordSuccess(SERVICES_SOURCE, values.services, 0.01);
  if (values.apt) cache.recordSuccess(APT_SOURCE, values.apt, 0.01);
  const registry = new Registry();
  registerServicesMetrics(registry, cache);
  expect((await registry.getMetricsAsJSON()).map((m) => m.name)).toEqual([...metricNames]);
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('services and apt metrics', () => {
  it('renders every PVE unit of a clustered node, and pending upgrades', async () => {
    expect(
      await render({
        services: services('systemctl-show-pve-clustered-all-active-constructed.txt'),
        apt: apt('apt-get-s-dist-upgrade-pve8-lab.txt'),
      }),
    ).toEqual([
      'proxmon_service_up{service="pveproxy"} 1',
      'proxmon_service_up{service="pvedaemon"} 1',
      'proxmon_service_up{service="pvestatd"} 1',
      'proxmon_service_up{service="pve-cluster"} 1',
      'proxmon_service_up{service="corosync"} 1',
      'proxmon_apt_upgrades_pending{kind="all"} 10',
      'proxmon_apt_upgrades_pending{kind="security"} 4',
    ]);
  });

  it('renders down units as 0, reloading as 1, and no series for a unit systemd does not know', async () => {
    expect(
      await render({
        services: services('systemctl-show-pve-transitions-constructed.txt', [...PVE, 'nginx']),
        apt: apt('apt-get-s-dist-upgrade-pve8-lab-held-back.txt'),
      }),
    ).toEqual([
      'proxmon_service_up{service="pveproxy"} 1',
      'proxmon_service_up{service="pvedaemon"} 0',
      'proxmon_service_up{service="pvestatd"} 0',
      'proxmon_service_up{service="pve-cluster"} 1',
      'proxmon_service_up{service="corosync"} 0',
      'proxmon_apt_upgrades_pending{kind="all"} 0',
      'proxmon_apt_upgrades_pending{kind="security"} 0',
    ]);
    expect(
      await render({ services: services('systemctl-show-pve-pvestatd-failed-constructed.txt') }),
    ).toContain('proxmon_service_up{service="pvestatd"} 0');
  });

  it('renders the recorded Debian 12 counts, and nothing for a host without PVE units', async () => {
    expect(
      await render({
        services: services('systemctl-show-not-pve-constructed.txt', PVE.slice(0, 4)),
        apt: apt('apt-get-s-dist-upgrade-debian12-128-upgrades.txt'),
      }),
    ).toEqual([
      'proxmon_apt_upgrades_pending{kind="all"} 128',
      'proxmon_apt_upgrades_pending{kind="security"} 81',
    ]);
  });

  it('renders no series without fresh snapshots', async () => {
    expect(await render({})).toEqual([]);
  });
});
