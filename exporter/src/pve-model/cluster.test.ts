import { describe, expect, it } from 'vitest';
import { nodesOnline, parseClusterStatus } from './cluster-status.js';
import { parseNodeStatus } from './node-status.js';
import { parseVersion } from './version.js';
import { exporterFixture, fixture, value } from './test-fixture.js';

describe('parseClusterStatus', () => {
  it('has no cluster and no quorum on a standalone node (real, PVE 9.2)', () => {
    const s = value(parseClusterStatus(fixture('pve92-cluster-status-standalone-real.json')));
    expect(s).toEqual({
      cluster: undefined,
      quorate: undefined,
      clusterNodes: undefined,
      nodes: [{ name: 'pve', nodeid: 0, online: true, local: true, ip: '203.0.113.10' }],
    });
    expect(nodesOnline(s)).toBe(1);
  });

  it('reads a two-node cluster (constructed, prometheus-pve-exporter)', () => {
    const s = value(parseClusterStatus(exporterFixture('cluster/status')));
    expect(s.cluster).toBe('pvec');
    expect(s.quorate).toBe(true);
    expect(s.clusterNodes).toBe(2);
    expect(s.nodes.map((n) => [n.name, n.nodeid, n.local, n.ip])).toEqual([
      ['pve1', 1, true, '10.0.0.1'],
      ['pve2', 2, false, '10.0.0.2'],
    ]);
  });

  it('counts online nodes only when known', () => {
    expect(nodesOnline({ cluster: 'c', quorate: false, clusterNodes: 2, nodes: [] })).toBeUndefined();
  });
});

describe('parseVersion', () => {
  it('reads PVE 9.2.2 (real, REST)', () => {
    expect(parseVersion(fixture('pve92-version-real.json'))).toEqual({
      ok: true,
      value: { version: '9.2.2', release: '9.2', repoid: 'b9984c6d90a4bd80' },
    });
  });

  it('reads a bare pvesh object (constructed)', () => {
    expect(value(parseVersion(exporterFixture('version')))).toEqual({
      version: '9.0.3',
      release: '9.0',
      repoid: '1a2b3c4d',
    });
  });

  it('fails without a version', () => {
    expect(parseVersion({ release: '9.2' })).toEqual({
      ok: false,
      error: { kind: 'parse', message: 'version: no "version" string' },
    });
  });
});

describe('parseNodeStatus', () => {
  it('reads trimmed PVE 9.2 node status with string loadavg (real)', () => {
    expect(value(parseNodeStatus(fixture('pve92-node-status-real-trimmed.json')))).toEqual({
      cpu: 0,
      cpuinfo: { model: 'AMD Ryzen 7 5800H with Radeon Graphics', cpus: 16, sockets: 1, cores: 8 },
      memory: { total: 33041162240, used: 2405330944, free: 30411599872, available: 30635831296 },
      swap: { total: undefined, used: undefined, free: undefined },
      rootfs: { total: 100861726720, used: 4446085120, free: 96415641600, avail: 91244904448 },
      uptime: 8749,
      loadavg: [0.02, 0.02, 0],
      kversion: 'Linux 7.0.2-6-pve #1 SMP PREEMPT_DYNAMIC PMX 7.0.2-6 (2026-05-20T08:55Z)',
      pveversion: 'pve-manager/9.2.2/b9984c6d90a4bd80',
      bootMode: undefined,
      secureBoot: undefined,
      kernelRelease: undefined,
    });
  });

  it('reads swap, boot-info and current-kernel; a bad loadavg is undefined (constructed)', () => {
    const s = value(parseNodeStatus(fixture('pve-node-status-full-constructed.json')));
    expect(s.swap).toEqual({ total: 8589930496, used: 0, free: 8589930496 });
    expect(s.bootMode).toBe('efi');
    expect(s.secureBoot).toBe(true);
    expect(s.kernelRelease).toBe('6.8.12-4-pve');
    expect(s.loadavg).toBeUndefined();
    expect(s.cpuinfo.cpus).toBe(32);
  });

  it('tolerates sub-objects of the wrong type', () => {
    const s = value(parseNodeStatus({ memory: 'x', cpuinfo: null, uptime: '5' }));
    expect(s.memory.total).toBeUndefined();
    expect(s.cpuinfo.model).toBeUndefined();
    expect(s.uptime).toBe(5);
  });

  it('fails on a list', () => {
    expect(parseNodeStatus([])).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });
});
