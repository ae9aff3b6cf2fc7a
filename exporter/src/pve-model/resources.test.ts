import { describe, expect, it } from 'vitest';
import { parseClusterResources, splitTags } from './resources.js';
import { syntheticClusterResources } from './synthetic.js';
import { exporterFixture, fixture, value } from './test-fixture.js';

describe('parseClusterResources', () => {
  it('reads PVE 9.2 with a pool, templates, storages and a network zone (real)', () => {
    const r = value(parseClusterResources(fixture('pve92-cluster-resources-pool-network-real.json')));
    expect(r.guests.map((g) => g.vmid)).toEqual([120, 210, 211, 212, 9000, 9001]);
    expect(r.guests.find((g) => g.vmid === 211)).toEqual({
      vmid: 211,
      type: 'qemu',
      name: 'lab-app-01',
      node: 'pve',
      status: 'running',
      template: false,
      tags: ['lab'],
      cpu: 0.00247162766488327,
      maxcpu: 2,
      mem: 442601472,
      maxmem: 2147483648,
      disk: undefined,
      maxdisk: 3221225472,
      netin: 2207945,
      netout: 181083,
      diskread: 294548066,
      diskwrite: 190005760,
      uptime: 14086,
      pool: 'lab',
      hastate: undefined,
      lock: undefined,
    });
    const ct = r.guests[0];
    expect(ct).toMatchObject({
      vmid: 120,
      type: 'lxc',
      status: 'stopped',
      disk: 0,
      tags: ['lab', 'lxc', 'pvectl'],
    });
    expect(r.guests.filter((g) => g.template === true).map((g) => g.vmid)).toEqual([9000, 9001]);
    expect(r.storages).toEqual([
      {
        storage: 'local',
        node: 'pve',
        plugintype: 'dir',
        content: ['iso', 'vztmpl', 'import', 'backup'],
        shared: false,
        status: 'available',
        disk: 5009698816,
        maxdisk: 100861726720,
      },
      {
        storage: 'local-lvm',
        node: 'pve',
        plugintype: 'lvmthin',
        content: ['images', 'rootdir'],
        shared: false,
        status: 'available',
        disk: 8614069456,
        maxdisk: 852878163968,
      },
    ]);
    expect(r.nodes).toEqual([
      {
        node: 'pve',
        status: 'online',
        cpu: 0.00611754581437246,
        maxcpu: 16,
        mem: 3965440000,
        maxmem: 33041162240,
        disk: 5009698816,
        maxdisk: 100861726720,
        uptime: 24973,
      },
    ]);
  });

  it('leaves the counters of a brand-new VM undefined, not 0 (real, PVE 9.2 ?type=vm)', () => {
    const r = value(parseClusterResources(fixture('pve92-cluster-resources-vm-sparse-entry-real.json')));
    expect(r.guests).toHaveLength(5);
    expect(r.storages).toEqual([]);
    const fresh = r.guests.find((g) => g.vmid === 213);
    expect(fresh).toMatchObject({ name: 'lab-app-03', status: 'stopped', maxcpu: 2, maxmem: 2147483648 });
    for (const k of ['cpu', 'mem', 'disk', 'uptime', 'netin', 'diskread', 'template'] as const) {
      expect(fresh?.[k]).toBeUndefined();
    }
  });

  it('skips the pool and sdn entries of PVE 8.4 (real)', () => {
    const r = value(parseClusterResources(fixture('pve84-cluster-resources-pool-sdn-real.json')));
    expect(r.guests.map((g) => [g.vmid, g.type, g.status])).toEqual([
      [100, 'qemu', 'running'],
      [101, 'lxc', 'stopped'],
      [111, 'lxc', 'stopped'],
    ]);
    expect(r.guests[0]).toMatchObject({ name: 'VM 100', cpu: 0.464301072747879, tags: [], pool: undefined });
    expect(r.guests[1]).toMatchObject({
      pool: 'pool-1',
      tags: ['sarah-wiit', 'test', 'testtag'],
      maxmem: 536870912,
    });
    expect(r.storages.map((s) => [s.storage, s.content.length, s.disk])).toEqual([['local', 6, 14254186496]]);
    expect(r.nodes.map((n) => [n.node, n.maxcpu])).toEqual([['ip-122-82-3-112', 72]]);
  });

  it('reads hastate, lock and an unknown shared storage (constructed, prometheus-pve-exporter)', () => {
    const r = value(parseClusterResources(exporterFixture('cluster/resources')));
    expect(r.guests.map((g) => [g.vmid, g.node, g.hastate, g.lock, g.tags])).toEqual([
      [100, 'pve1', 'started', 'backup', ['web', 'prod']],
      [101, 'pve2', 'stopped', undefined, []],
    ]);
    expect(r.storages.find((s) => s.storage === 'ceph')).toMatchObject({ status: 'unknown', shared: true });
    expect(r.nodes).toHaveLength(2);
  });

  it('rejects a payload that is not a list', () => {
    expect(parseClusterResources({ data: { a: 1 } })).toEqual({
      ok: false,
      error: { kind: 'parse', message: 'cluster/resources: expected an array, got object' },
    });
  });

  it('accepts pvesh bare arrays, string numbers and a vmid only in the id', () => {
    const r = value(
      parseClusterResources([{ type: 'qemu', id: 'qemu/300', maxmem: '1024', cpu: 'NaN', tags: 'a, b c;d' }]),
    );
    expect(r.guests[0]).toMatchObject({
      vmid: 300,
      maxmem: 1024,
      cpu: undefined,
      tags: ['a', 'b', 'c', 'd'],
    });
  });
});

describe('splitTags', () => {
  it('splits on ; , and spaces', () => {
    expect(splitTags(' x;y,z  w ')).toEqual(['x', 'y', 'z', 'w']);
    expect(splitTags(undefined)).toEqual([]);
  });
});

describe('syntheticClusterResources', () => {
  it('parses 1000 guests in the real shape', () => {
    const body = syntheticClusterResources(1000);
    const t0 = performance.now();
    const r = value(parseClusterResources(body));
    const ms = performance.now() - t0;
    expect(r.guests).toHaveLength(1000);
    expect(r.nodes.map((n) => n.node)).toEqual(['pve1', 'pve2', 'pve3']);
    expect(r.storages).toHaveLength(3);
    expect(r.guests.filter((g) => g.type === 'lxc')).toHaveLength(250);
    expect(r.guests.filter((g) => g.status === 'running')).toHaveLength(800);
    expect(r.guests[1]).toMatchObject({ vmid: 101, type: 'qemu', node: 'pve2', maxcpu: 2, tags: ['bench'] });
    expect(new Set(r.guests.map((g) => g.vmid)).size).toBe(1000);
    // Timing is for the benchmark to judge; this only guards against something pathological.
    expect(ms).toBeLessThan(2000);
  });

  it('is deterministic', () => {
    expect(syntheticClusterResources(20)).toEqual(syntheticClusterResources(20));
  });
});
