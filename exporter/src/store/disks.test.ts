import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiskState, SmartSnapshot } from '../sources/smart/index.js';
import { openStore, type Db } from './db.js';
import { listDisks, recordDisksSeen, syncDiskRegistry, type SeenDisk } from './disks.js';

let db: Db;
beforeEach(() => {
  db = openStore(mkdtempSync(join(tmpdir(), 'proxmon-disks-')));
});
afterEach(() => db.close());

const sda: SeenDisk = {
  diskId: '0x5000cca0499602d2',
  device: '/dev/sda',
  serial: 'PN1234',
  model: 'HGST HUS724020ALE640',
  sizeBytes: 2000398934016,
  type: 'hdd',
};
const nvme: SeenDisk = {
  diskId: 'S466NX0M776250H',
  device: '/dev/nvme0',
  serial: 'S466NX0M776250H',
  type: 'nvme',
};

describe('disk registry', () => {
  it('records new disks with first and last seen', () => {
    recordDisksSeen(db, [sda, nvme], 1000);
    expect(listDisks(db)).toEqual([
      {
        diskId: '0x5000cca0499602d2',
        device: '/dev/sda',
        serial: 'PN1234',
        model: 'HGST HUS724020ALE640',
        sizeBytes: 2000398934016,
        type: 'hdd',
        firstSeen: 1000,
        lastSeen: 1000,
        removedAt: undefined,
      },
      {
        diskId: 'S466NX0M776250H',
        device: '/dev/nvme0',
        serial: 'S466NX0M776250H',
        model: undefined,
        sizeBytes: undefined,
        type: 'nvme',
        firstSeen: 1000,
        lastSeen: 1000,
        removedAt: undefined,
      },
    ]);
  });

  it('updates a disk seen again on another path, keeping details it did not report this time', () => {
    recordDisksSeen(db, [sda], 1000);
    // Found asleep after a reboot moved it to sdc: no model yet, type unknown.
    recordDisksSeen(db, [{ diskId: sda.diskId, device: '/dev/sdc', type: 'unknown' }], 2000);
    expect(listDisks(db)[0]).toMatchObject({
      device: '/dev/sdc',
      model: 'HGST HUS724020ALE640',
      serial: 'PN1234',
      type: 'hdd',
      firstSeen: 1000,
      lastSeen: 2000,
    });
  });

  it('marks a disk missing from a complete scan as removed, and clears that when it returns', () => {
    recordDisksSeen(db, [sda, nvme], 1000);
    recordDisksSeen(db, [nvme], 2000);
    expect(listDisks(db).map((d) => [d.diskId, d.lastSeen, d.removedAt])).toEqual([
      ['0x5000cca0499602d2', 1000, 2000],
      ['S466NX0M776250H', 2000, undefined],
    ]);
    expect(listDisks(db, { includeRemoved: false }).map((d) => d.diskId)).toEqual(['S466NX0M776250H']);
    // Still removed later: the removal time is when it went missing.
    recordDisksSeen(db, [nvme], 3000);
    expect(listDisks(db)[0]?.removedAt).toBe(2000);
    recordDisksSeen(db, [sda, nvme], 4000);
    expect(listDisks(db)[0]).toMatchObject({ lastSeen: 4000, removedAt: undefined, firstSeen: 1000 });
  });

  it('marks nothing removed from a partial list, nor a disk whose path could not be read', () => {
    recordDisksSeen(db, [sda, nvme], 1000);
    recordDisksSeen(db, [nvme], 2000, { complete: false });
    recordDisksSeen(db, [nvme], 3000, { uncertainDevices: ['/dev/sda'] });
    expect(listDisks(db, { includeRemoved: false })).toHaveLength(2);
  });

  it('writes all or nothing', () => {
    recordDisksSeen(db, [sda], 1000);
    const bad = { ...nvme, type: undefined } as unknown as SeenDisk; // NOT NULL type
    expect(() => recordDisksSeen(db, [nvme, bad], 2000)).toThrow();
    expect(listDisks(db).map((d) => [d.diskId, d.removedAt])).toEqual([['0x5000cca0499602d2', undefined]]);
  });

  it('syncs from a SMART snapshot: unreadable paths keep their disk', () => {
    const disk = (id: string, device: string, kind: DiskState['identity']['kind']): DiskState => ({
      diskId: id,
      identity: { diskId: id, device, protocol: 'ata', kind, model: 'M', serial: `S-${id}`, sizeBytes: 10 },
      values: { attributes: [] },
      exitStatus: 0,
      readAt: 1,
      standby: false,
      health: { severity: 0, reasons: [] },
      messages: [],
    });
    const first: SmartSnapshot = {
      disks: [disk('0xa', '/dev/sda', 'hdd'), disk('0xb', '/dev/sdb', 'ssd')],
      unreadable: [],
    };
    syncDiskRegistry(db, first, 1000);
    const second: SmartSnapshot = {
      disks: [disk('0xa', '/dev/sda', 'hdd')],
      unreadable: [{ device: '/dev/sdb', type: 'sat', reason: 'timed out' }],
    };
    syncDiskRegistry(db, second, 2000);
    expect(listDisks(db).map((d) => [d.diskId, d.type, d.serial, d.removedAt])).toEqual([
      ['0xa', 'hdd', 'S-0xa', undefined],
      ['0xb', 'ssd', 'S-0xb', undefined],
    ]);
    syncDiskRegistry(db, { disks: [disk('0xa', '/dev/sda', 'hdd')], unreadable: [] }, 3000);
    expect(listDisks(db).map((d) => [d.diskId, d.removedAt])).toEqual([
      ['0xa', undefined],
      ['0xb', 3000],
    ]);
  });
});
