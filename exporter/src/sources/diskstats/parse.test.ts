import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDiskstats, type DiskstatsEntry } from './parse.js';
import { DEFAULT_EXCLUDED_PREFIXES, isExcludedDevice, looksLikePartition, sysfsBlockName } from './select.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function entries(name: string): Map<string, DiskstatsEntry> {
  const result = parseDiskstats(fixture(name));
  if (!result.ok) throw new Error(result.error.message);
  return new Map(result.value.map((e) => [e.name, e]));
}

describe('parseDiskstats', () => {
  it('reads a Debian 12 VM with 20-field lines (recorded, Linux 6.18)', () => {
    const disks = entries('proc-diskstats-debian12-vm-20fields.txt');
    expect([...disks.keys()]).toEqual([
      ...['loop0', 'loop1', 'loop2', 'loop3', 'loop4', 'loop5', 'loop6', 'loop7'],
      'vda',
      'zram0',
    ]);
    expect(disks.get('vda')).toEqual({
      major: 254,
      minor: 0,
      name: 'vda',
      readsCompleted: 13857,
      readsMerged: 6420,
      readBytes: 797561856,
      readTimeSeconds: 7.557,
      writesCompleted: 2504,
      writesMerged: 16366,
      writtenBytes: 465219584,
      writeTimeSeconds: 2.152,
      ioInProgress: 0,
      ioTimeSeconds: 2.984,
      ioWeightedTimeSeconds: 10.155,
      discardsCompleted: 3074,
      discardsMerged: 140,
      discardedBytes: 38928384,
      discardTimeSeconds: 0.428,
      flushesCompleted: 62,
      flushTimeSeconds: 0.016,
    });
  });

  it('reads 14-field lines from Linux 4.15 without discard or flush stats (constructed)', () => {
    const disks = entries('proc-diskstats-pve5-kernel4.15-14fields-constructed.txt');
    expect(disks.size).toBe(23);
    const sda = disks.get('sda');
    expect(sda).toMatchObject({
      readsCompleted: 536048,
      readBytes: 10978263040,
      writtenBytes: 11822755840,
      ioTimeSeconds: 488.731,
      ioWeightedTimeSeconds: 929.836,
    });
    expect(sda?.discardedBytes).toBeUndefined();
    expect(sda?.flushesCompleted).toBeUndefined();
    expect(disks.get('dm-1')?.writesCompleted).toBe(301234);
  });

  it('reads 18-field lines from Linux 5.4 with discards but no flushes (constructed)', () => {
    const sda = entries('proc-diskstats-pve6-kernel5.4-18fields-constructed.txt').get('sda');
    expect(sda).toMatchObject({
      readBytes: 13936476160,
      discardsCompleted: 5234,
      discardedBytes: 5488246784,
      discardTimeSeconds: 2.093,
    });
    expect(sda?.flushesCompleted).toBeUndefined();
  });

  it('reads a PVE 8 host with NVMe, ZFS mirror members, zvols and LVM (constructed, Linux 6.8)', () => {
    const disks = entries('proc-diskstats-pve8-kernel6.8-20fields-constructed.txt');
    expect(disks.size).toBe(20);
    expect(disks.get('sda')).toMatchObject({
      readBytes: 21627863040,
      writtenBytes: 23291555840,
      discardedBytes: 8517582848,
      flushesCompleted: 40617,
      flushTimeSeconds: 36.555,
    });
    expect(disks.get('zd16p2')?.writesCompleted).toBe(34400);
  });

  it('skips pre-2.6.25 short partition lines and keeps the rest', () => {
    const text = '   8    0 sda 1 2 3 4 5 6 7 8 0 9 10\n   8    1 sda1 35486 38030 38030 38030\n';
    const result = parseDiskstats(text);
    expect(result.ok && result.value.map((e) => e.name)).toEqual(['sda']);
  });

  it('is empty for an empty file and fails when no line is usable', () => {
    expect(parseDiskstats('')).toEqual({ ok: true, value: [] });
    const result = parseDiskstats('garbage\n8 0 sda x\n');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/no usable line in 2/);
  });

  it('never throws on random input, and what it keeps is finite and non-negative', () => {
    const token = fc.oneof(
      fc.nat().map(String),
      fc.constantFrom('sda', 'sda1', '-1', '1.5'),
      fc.string({ maxLength: 4 }),
    );
    const line = fc.array(token, { minLength: 0, maxLength: 22 }).map((t) => t.join(' '));
    const text = fc.oneof(
      fc.string({ unit: 'binary-ascii' }),
      fc.array(line, { maxLength: 6 }).map((l) => l.join('\n')),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = parseDiskstats(input);
        if (!result.ok) {
          expect(result.error.kind).toBe('parse');
          return;
        }
        for (const e of result.value) {
          for (const v of Object.values(e))
            if (typeof v === 'number') expect(Number.isFinite(v) && v >= 0).toBe(true);
        }
      }),
    );
  });
});

describe('whole-disk rules', () => {
  it('excludes loop, ram, zram and floppy devices by default, and only before a digit', () => {
    const excluded = (n: string) => isExcludedDevice(n, DEFAULT_EXCLUDED_PREFIXES);
    expect(['loop0', 'loop12p1', 'ram0', 'zram0', 'fd0'].filter(excluded)).toHaveLength(5);
    expect(['sda', 'dm-0', 'md0', 'zd16', 'nvme0n1', 'loopback', 'fdx'].some(excluded)).toBe(false);
    expect(isExcludedDevice('zd0', ['zd'])).toBe(true);
  });

  it('tells partitions by name when sysfs cannot', () => {
    const partitions = [
      'sda1',
      'vdb2',
      'xvda1',
      'hdc3',
      'sdaa12',
      'nvme0n1p1',
      'mmcblk0p2',
      'zd16p1',
      'md127p1',
    ];
    const whole = [
      'sda',
      'sdaa',
      'nvme0n1',
      'nvme10n2',
      'dm-0',
      'md0',
      'md127',
      'zd0',
      'zd16',
      'sr0',
      'mmcblk0',
    ];
    expect(partitions.filter((n) => !looksLikePartition(n))).toEqual([]);
    expect(whole.filter(looksLikePartition)).toEqual([]);
  });

  it('maps a slash in a device name to the sysfs entry name', () => {
    expect(sysfsBlockName('cciss/c0d0')).toBe('cciss!c0d0');
  });
});
