import { describe, expect, it } from 'vitest';
import { lastBackupByGuest, parseBackups } from './backups.js';
import { parseHaStatus } from './ha.js';
import { parseReplication } from './replication.js';
import { parseNodeStorage } from './storage.js';
import { exporterFixture, fixture, value } from './test-fixture.js';

describe('parseNodeStorage', () => {
  it('reads dir + shared nfs (simplified, Home Assistant)', () => {
    expect(value(parseNodeStorage(fixture('node-storage.json')))).toEqual([
      {
        storage: 'local',
        type: 'dir',
        content: ['iso', 'backup', 'vztmpl'],
        shared: false,
        active: true,
        enabled: true,
        total: 100861726720,
        used: 85734563840,
        avail: 9956425728,
      },
      {
        storage: 'synology',
        type: 'nfs',
        content: ['backup', 'images'],
        shared: true,
        active: true,
        enabled: true,
        total: 1915211874304,
        used: 1391442395136,
        avail: 523769479168,
      },
    ]);
  });

  it('leaves the sizes of an inactive storage undefined', () => {
    expect(
      value(parseNodeStorage([{ storage: 'nas', type: 'cifs', active: 0, enabled: 1, content: '' }])),
    ).toEqual([{ storage: 'nas', type: 'cifs', content: [], active: false, enabled: true }]);
  });
});

describe('parseBackups / lastBackupByGuest', () => {
  it('reads 379 PBS backups of 30 guests (real, pvesh)', () => {
    const backups = value(parseBackups(fixture('pve-storage-content-pbs-backups-real.json')));
    expect(backups).toHaveLength(379);
    const last = lastBackupByGuest(backups);
    expect(last.size).toBe(30);
    expect(last.get(100)).toEqual({
      volid: 'pbs:backup/vm/100/2025-12-11T23:30:07Z',
      storage: 'pbs',
      vmid: 100,
      subtype: 'qemu',
      ctime: 1765495807,
      format: 'pbs-vm',
      size: 542643,
      notes: 'pve3',
    });
    expect(last.get(331)?.ctime).toBe(1781480772);
    expect(last.get(504)?.notes).toBe('LiteLLM-Ai-Gateway');
    expect(Math.max(...[...last.values()].map((b) => b.ctime ?? 0))).toBe(1790552817);
    expect(last.has(999)).toBe(false);
  });

  it('reads a local vma.zst backup (real, PVE 9.2 REST)', () => {
    const backups = value(parseBackups(fixture('pve92-storage-content-backup-vma-real.json')));
    expect(backups).toEqual([
      {
        volid: 'local:backup/vzdump-qemu-212-2026_07_31-20_36_33.vma.zst',
        storage: 'local',
        vmid: 212,
        subtype: 'qemu',
        ctime: 1785522993,
        format: 'vma.zst',
        size: 532474818,
        notes: 'PRA PVX-040 lab-app-02',
      },
    ]);
    expect(lastBackupByGuest(backups).get(212)?.ctime).toBe(1785522993);
  });

  it('skips non-backup content and keeps protected', () => {
    const backups = value(
      parseBackups([
        { volid: 'local:iso/x.iso', content: 'iso', ctime: 5 },
        { volid: 'local:backup/a.tar.zst', content: 'backup', vmid: '101', ctime: 7, protected: 1 },
      ]),
    );
    expect(backups).toEqual([
      { volid: 'local:backup/a.tar.zst', storage: 'local', vmid: 101, ctime: 7, protected: true },
    ]);
  });
});

describe('parseHaStatus', () => {
  it('reads quorum, master, 3 lrm and 25 services of a 3-node cluster (real, pvesh)', () => {
    const ha = value(parseHaStatus(fixture('pve-ha-status-current-3node-real.json')));
    expect(ha).toHaveLength(30);
    expect(ha[0]).toMatchObject({ id: 'quorum', type: 'quorum', node: 'pve1', quorate: true, status: 'OK' });
    expect(ha[1]).toMatchObject({ type: 'master', node: 'pve2', state: 'active', timestamp: 1790604252 });
    expect(ha.filter((e) => e.type === 'lrm').map((e) => [e.node, e.state])).toEqual([
      ['pve1', 'active'],
      ['pve2', 'active'],
      ['pve3', 'active'],
    ]);
    const services = ha.filter((e) => e.type === 'service');
    expect(services).toHaveLength(25);
    expect(services.filter((s) => s.state === 'started')).toHaveLength(24);
    expect(services.find((s) => s.state === 'stopped')).toMatchObject({ sid: 'vm:208', node: 'pve3' });
    expect(services[0]).toMatchObject({
      id: 'service:vm:102',
      sid: 'vm:102',
      state: 'started',
      node: 'pve1',
    });
  });
});

describe('parseReplication', () => {
  it('reads healthy, failing and never-synced jobs (constructed from the API schema)', () => {
    expect(value(parseReplication(fixture('pve-replication-3jobs-constructed.json')))).toEqual([
      {
        id: '100-0',
        guest: 100,
        jobnum: 0,
        target: 'pve2',
        lastSync: 1790604000,
        nextSync: 1790604900,
        duration: 3.512,
        failCount: 0,
        failed: false,
      },
      {
        id: '101-0',
        guest: 101,
        jobnum: 0,
        target: 'pve3',
        lastSync: 1790590000,
        nextSync: 1790604310,
        duration: 1.204,
        failCount: 3,
        error:
          "command 'zfs snapshot rpool/data/subvol-101-disk-0@__replicate_101-0_1790604010__' failed: exit code 1",
        failed: true,
      },
      {
        id: '102-1',
        guest: 102,
        jobnum: 1,
        target: 'pve3',
        lastSync: undefined,
        nextSync: 1790820000,
        failCount: 0,
        failed: false,
      },
    ]);
  });

  it('reads a job list without state fields (constructed, prometheus-pve-exporter)', () => {
    expect(value(parseReplication(exporterFixture('nodes/pve1/replication')))).toEqual([
      { id: '100-0', guest: 100, target: 'pve2', failed: undefined },
    ]);
  });

  it('takes the guest from the job id and leaves failure unknown without fail_count', () => {
    expect(value(parseReplication([{ id: '105-2' }]))).toEqual([
      { id: '105-2', guest: 105, failed: undefined },
    ]);
  });
});
