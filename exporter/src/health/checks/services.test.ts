import { describe, expect, it } from 'vitest';
import {
  healthInputs,
  pveFixture,
  PVE_UNITS,
  servicesFixture,
  twoNodeClusterStatus,
} from './fixtures/host-inputs.js';
import { checkServices } from './services.js';

// No WARNING level: a PVE daemon is either up or down, and a down one (failed, inactive, stuck
// activating/deactivating) stops the node's API, statistics or cluster filesystem, so it is CRITICAL;
// the only softer outcome is INFO (not installed, or still starting within the boot grace).

const run = (file: string, extra: Parameters<typeof healthInputs>[0] = {}, units = PVE_UNITS) =>
  checkServices(
    healthInputs({ ...extra, fresh: { services: servicesFixture(file, units), ...extra.fresh } }),
  );

describe('checkServices on recorded systemctl show output', () => {
  it('is OK with every PVE daemon running, listing them for cleanup', () => {
    const r = run('systemctl-show-pve-clustered-all-active-constructed.txt');
    expect(r.findings).toEqual([]);
    expect(r.rows.map((row) => [row.check, row.resource, row.status, row.reason])).toEqual([
      ['pve_service', 'pveproxy', 'OK', 'pveproxy.service is active (running)'],
      ['pve_service', 'pvedaemon', 'OK', 'pvedaemon.service is active (running)'],
      ['pve_service', 'pvestatd', 'OK', 'pvestatd.service is active (running)'],
      ['pve_service', 'pve-cluster', 'OK', 'pve-cluster.service is active (running)'],
      ['pve_service', 'corosync', 'OK', 'corosync.service is active (running)'],
      ['cluster_mode', undefined, 'OK', 'Clustered node (corosync)'],
    ]);
    expect(r.present).toEqual({ service: new Set(PVE_UNITS) });
  });

  it('is CRITICAL for a failed pvestatd, with the service as the resource', () => {
    const r = run('systemctl-show-pve-pvestatd-failed-constructed.txt');
    expect(r.findings).toEqual([
      {
        errorKey: 'pve_service_pvestatd',
        category: 'services',
        check: 'pve_service',
        severity: 'CRITICAL',
        reason: 'pvestatd.service is failed (failed), expected active',
        details: {
          resource: { kind: 'service', id: 'pvestatd' },
          unit: 'pvestatd.service',
          loadState: 'loaded',
          activeState: 'failed',
          subState: 'failed',
        },
      },
    ]);
    expect(r.rows.find((row) => row.resource === 'pvestatd')).toMatchObject({
      status: 'CRITICAL',
      errorKey: 'pve_service_pvestatd',
    });
  });

  it('counts activating, deactivating and inactive as down; a missing extra unit is INFO', () => {
    const units = [...PVE_UNITS, 'nginx'];
    const r = run('systemctl-show-pve-transitions-constructed.txt', {}, units);
    expect(r.rows.map((row) => [row.resource ?? row.check, row.status])).toEqual([
      ['pveproxy', 'OK'],
      ['pvedaemon', 'CRITICAL'],
      ['pvestatd', 'CRITICAL'],
      ['pve-cluster', 'OK'],
      ['corosync', 'CRITICAL'],
      ['nginx', 'INFO'],
      ['cluster_mode', 'OK'],
    ]);
    expect(r.findings.map((f) => [f.errorKey, f.reason])).toEqual([
      ['pve_service_pvedaemon', 'pvedaemon.service is activating (auto-restart), expected active'],
      ['pve_service_pvestatd', 'pvestatd.service is deactivating (stop-sigterm), expected active'],
      ['pve_service_corosync', 'corosync.service is inactive (dead), expected active'],
    ]);
    expect(r.rows.find((row) => row.resource === 'nginx')?.reason).toBe(
      'nginx.service is not installed (LoadState not-found)',
    );
  });

  it('lets a unit still activating within the boot grace be INFO, never a failed one', () => {
    const r = run('systemctl-show-pve-transitions-constructed.txt', { bootGrace: true });
    expect(r.rows.find((row) => row.resource === 'pvedaemon')).toMatchObject({
      status: 'INFO',
      reason: 'pvedaemon.service is still starting after boot: activating (auto-restart)',
    });
    expect(r.findings.map((f) => f.errorKey)).toEqual(['pve_service_pvestatd', 'pve_service_corosync']);
  });

  it('names the cluster and its quorum from the PVE source, and is CRITICAL without quorum', () => {
    const pve = pveFixture();
    pve.cluster = twoNodeClusterStatus();
    const quorate = run('systemctl-show-pve-clustered-all-active-constructed.txt', { fresh: { pve } });
    expect(quorate.rows.at(-1)?.reason).toBe('Clustered node: cluster pvec, quorate (2 of 2 nodes online)');
    pve.cluster = {
      ...pve.cluster,
      quorate: false,
      nodes: pve.cluster.nodes.map((n, i) => ({ ...n, online: i === 0 })),
    };
    const lost = run('systemctl-show-pve-clustered-all-active-constructed.txt', { fresh: { pve } });
    expect(lost.findings).toEqual([
      {
        errorKey: 'pve_cluster_quorum',
        category: 'services',
        check: 'cluster_mode',
        severity: 'CRITICAL',
        reason: 'Cluster pvec has lost quorum (1 of 2 nodes online): /etc/pve is read-only',
      },
    ]);
  });

  it('reads a node without corosync as standalone', () => {
    const r = run('systemctl-show-pve-pvestatd-failed-constructed.txt', {}, PVE_UNITS.slice(0, 4));
    expect(r.rows.at(-1)).toEqual({
      check: 'cluster_mode',
      status: 'OK',
      reason: 'Standalone node (no corosync.conf)',
    });
  });

  it('is skipped off PVE (source absent or disabled) and UNKNOWN when the source is down', () => {
    expect(
      checkServices(
        healthInputs({
          absent: { services: 'systemctl: none of pveproxy, pvedaemon, pvestatd, pve-cluster is installed' },
        }),
      ),
    ).toEqual({
      category: 'services',
      rows: [],
      findings: [],
      skipped:
        'not a Proxmox VE node: systemctl: none of pveproxy, pvedaemon, pvestatd, pve-cluster is installed',
    });
    expect(checkServices(healthInputs()).skipped).toBe(
      'not a Proxmox VE node: the services source is disabled',
    );
    expect(
      checkServices(
        healthInputs({
          failed: {
            services: { kind: 'exit', message: 'systemctl show exited 1: Failed to connect to bus' },
          },
        }),
      ).unknown,
    ).toBe('services source failed: systemctl show exited 1: Failed to connect to bus');
    expect(checkServices(healthInputs({ pending: ['services'] })).unknown).toBe(
      'services source has no value yet',
    );
  });
});
