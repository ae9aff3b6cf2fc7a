import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NotificationEvent } from '../event.js';
import { DiskIoTiers } from './disk-io-tiers.js';

const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

const io = (device: string, at: number, hard = false): NotificationEvent => ({
  type: 'disk_io_error',
  severity: hard ? 'CRITICAL' : 'WARNING',
  source: 'journal',
  at,
  fields: { reason: `kernel: I/O error, dev ${device}, sector 1`, device, hard },
  entity: { kind: 'disk', id: device },
});

/** Feeds `n` soft errors a minute apart from `from`; returns what came out. */
function feed(tiers: DiskIoTiers, device: string, n: number, from: number): NotificationEvent[] {
  const out: NotificationEvent[] = [];
  for (let i = 0; i < n; i++) {
    const e = tiers.observe(io(device, from + i * MIN));
    if (e) out.push(e);
  }
  return out;
}

describe('DiskIoTiers', () => {
  it('is silent up to 10 errors in 24 h, WARNING at the 11th, CRITICAL past 100, each tier once', () => {
    const tiers = new DiskIoTiers();
    expect(feed(tiers, 'sdb', 10, T0)).toEqual([]);
    const warning = feed(tiers, 'sdb', 1, T0 + 10 * MIN);
    expect(warning).toHaveLength(1);
    expect(warning[0]).toMatchObject({
      severity: 'WARNING',
      fields: { count_24h: 11, tier: 'WARNING', device: 'sdb' },
      fingerprint: 'disk_io_error:disk:sdb:WARNING',
    });
    expect(feed(tiers, 'sdb', 89, T0 + 11 * MIN)).toEqual([]);
    const critical = feed(tiers, 'sdb', 1, T0 + 100 * MIN);
    expect(critical.map((e) => [e.severity, e.fields.count_24h, e.fingerprint])).toEqual([
      ['CRITICAL', '>100', 'disk_io_error:disk:sdb:CRITICAL'],
    ]);
    expect(feed(tiers, 'sdb', 50, T0 + 101 * MIN)).toEqual([]);
  });

  it('one hard error is CRITICAL at once; a second disk is counted apart', () => {
    const tiers = new DiskIoTiers();
    expect(tiers.observe(io('sdb', T0, true))).toMatchObject({
      severity: 'CRITICAL',
      fields: { count_24h: 1 },
    });
    expect(tiers.observe(io('sdb', T0 + MIN, true))).toBeUndefined();
    expect(tiers.observe(io('sdc', T0 + MIN))).toBeUndefined();
    expect(tiers.state().devices['sdc']!.times).toEqual([T0 + MIN]);
  });

  it('counts over a sliding 24 h: old errors fall out, and the same tier may speak again after a day', () => {
    const tiers = new DiskIoTiers();
    expect(feed(tiers, 'sda', 11, T0)).toHaveLength(1);
    // 25 h later the first 11 are gone: 10 more are silent again, the 11th warns again.
    const later = T0 + 25 * HOUR;
    expect(feed(tiers, 'sda', 10, later)).toEqual([]);
    expect(feed(tiers, 'sda', 1, later + 10 * MIN)).toHaveLength(1);
  });

  it('survives a restart through its plain-data state (JSON round trip)', () => {
    const first = new DiskIoTiers();
    feed(first, 'sdb', 8, T0);
    const saved = JSON.parse(JSON.stringify(first.state())) as unknown;
    const second = new DiskIoTiers(saved);
    expect(feed(second, 'sdb', 2, T0 + 8 * MIN)).toEqual([]);
    expect(feed(second, 'sdb', 1, T0 + 10 * MIN)).toHaveLength(1);
    // And the notification itself is remembered: no second WARNING after another restart.
    const third = new DiskIoTiers(JSON.parse(JSON.stringify(second.state())));
    expect(feed(third, 'sdb', 5, T0 + 11 * MIN)).toEqual([]);
  });

  it('keeps memory bounded: at most criticalAbove+1 times per disk, at most maxDevices disks', () => {
    const tiers = new DiskIoTiers(undefined, { maxDevices: 3 });
    feed(tiers, 'sda', 500, T0);
    expect(tiers.state().devices['sda']!.times).toHaveLength(101);
    for (const d of ['sdb', 'sdc', 'sdd']) tiers.observe(io(d, T0 + 600 * MIN));
    expect(Object.keys(tiers.state().devices).sort()).toEqual(['sdb', 'sdc', 'sdd']);
  });

  it('passes other event types through untouched', () => {
    const e: NotificationEvent = {
      type: 'oom_kill',
      severity: 'CRITICAL',
      source: 'journal',
      at: T0,
      fields: {},
    };
    expect(new DiskIoTiers().observe(e)).toBe(e);
  });

  it('ignores persisted state of the wrong shape, and never throws on it', () => {
    fc.assert(
      fc.property(fc.anything(), (state) => {
        const tiers = new DiskIoTiers(state);
        tiers.observe(io('sdb', T0));
        expect(tiers.state().devices['sdb']!.times).toContain(T0);
      }),
    );
    const tiers = new DiskIoTiers({
      devices: { sdb: { times: [T0, 'x', null], notified: { tier: 'BAD', at: 1 } } },
    });
    expect(tiers.state().devices['sdb']).toEqual({ times: [T0] });
  });
});
