import { afterEach, expect, it } from 'vitest';
import type { Category, Finding } from '../finding.js';
import { DAY, HOUR, MINUTE, openTestStore, T0, type TestStore } from './fixtures/harness.js';
import type { HealthEvent } from './types.js';

let t: TestStore | undefined;
afterEach(() => t?.close());

const CYCLE = 5 * MINUTE;
const ALL: Category[] = [
  'cpu',
  'memory',
  'storage',
  'disks',
  'network',
  'vms',
  'services',
  'logs',
  'updates',
  'security',
];

const degradedPool: Finding = {
  errorKey: 'zfs_pool_tank',
  category: 'disks',
  check: 'zfs_pools',
  severity: 'CRITICAL',
  reason: 'ZFS pool tank is DEGRADED',
  details: { resource: { kind: 'pool', id: 'tank' }, health: 'DEGRADED' },
};
const guestFindings: Finding[] = [
  {
    errorKey: 'vm_105',
    category: 'vms',
    check: 'qmp_communication',
    severity: 'WARNING',
    reason: 'VM 105 QMP command failed',
    details: { resource: { kind: 'guest', id: '105' } },
  },
  {
    errorKey: 'lxc_disk_105',
    category: 'storage',
    check: 'lxc_disk',
    severity: 'WARNING',
    reason: 'CT 105 root disk 91% full',
    details: { resource: { kind: 'guest', id: '105' }, used: 0.91 },
  },
];

it('follows a degraded pool from first sight to repair, and cleans up after a deleted guest', () => {
  t = openTestStore();
  const { store, clock } = t;
  const log: string[] = [];
  const run = (findings: Finding[], guests = ['100', '105']): HealthEvent[] => {
    const present = {
      vms: { guest: new Set(guests) },
      storage: { guest: new Set(guests) },
      disks: { pool: new Set(['tank']) },
    };
    const events = store.applyCycle({ evaluated: ALL, findings, present });
    for (const e of events) log.push(`${(e.at - T0) / MINUTE}m ${e.type} ${e.errorKey}`);
    clock.advance(CYCLE);
    return events;
  };

  // The pool degrades: one CRITICAL error, persisted.
  run([degradedPool, ...guestFindings]);
  expect(store.active().map((e) => [e.errorKey, e.severity])).toEqual([
    ['zfs_pool_tank', 'CRITICAL'],
    ['lxc_disk_105', 'WARNING'],
    ['vm_105', 'WARNING'],
  ]);

  // Its count grows each cycle (and it becomes persistent after an hour).
  for (let i = 0; i < 11; i++) run([degradedPool]);
  expect(store.get('zfs_pool_tank')).toMatchObject({
    occurrences: 12,
    firstSeen: T0,
    lastSeen: T0 + 11 * CYCLE,
  });

  // Dismissed for 24 h: hidden, still counted, no events.
  const dismissedAt = clock.t;
  expect(store.acknowledge('zfs_pool_tank', '24h', 'admin').ok).toBe(true);
  expect(store.active().map((e) => e.errorKey)).toEqual([]);
  const cyclesIn24h = DAY / CYCLE;
  for (let i = 0; i < cyclesIn24h; i++) expect(run([degradedPool])).toEqual([]);
  expect(store.dismissed()).toEqual([]);
  expect(store.get('zfs_pool_tank')).toMatchObject({ occurrences: 12 + cyclesIn24h });

  // After expiry, still degraded: re-triggers and shows again.
  expect(clock.t).toBe(dismissedAt + DAY);
  expect(run([degradedPool])).toMatchObject([
    { type: 'retriggered', errorKey: 'zfs_pool_tank', severity: 'CRITICAL' },
  ]);
  expect(store.active().map((e) => e.errorKey)).toEqual(['zfs_pool_tank']);

  // Repaired: resolved, with how long it lasted.
  for (let i = 0; i < 11; i++) run([degradedPool]);
  const repairedAt = clock.t;
  expect(run([])).toMatchObject([
    {
      type: 'resolved',
      errorKey: 'zfs_pool_tank',
      resolution: 'auto',
      durationSeconds: (repairedAt - T0) / 1000,
    },
  ]);
  expect(store.active()).toEqual([]);

  expect(log).toEqual([
    '0m new zfs_pool_tank',
    '0m new vm_105',
    '0m new lxc_disk_105',
    // Guest 105 recovered in the second cycle; its errors resolve as ordinary auto-resolves.
    '5m resolved vm_105',
    '5m resolved lxc_disk_105',
    '55m persistent zfs_pool_tank',
    `${(dismissedAt + DAY - T0) / MINUTE}m retriggered zfs_pool_tank`,
    `${(repairedAt - T0) / MINUTE}m resolved zfs_pool_tank`,
  ]);
  expect((repairedAt - T0) / HOUR).toBe(26);
});

it('resolves a deleted guest’s errors, dismissed ones included, even while its category is UNKNOWN', () => {
  t = openTestStore();
  const { store, clock } = t;
  const present = (guests: string[]) => ({
    vms: { guest: new Set(guests) },
    storage: { guest: new Set(guests) },
  });
  store.applyCycle({ evaluated: ALL, findings: guestFindings, present: present(['100', '105']) });
  store.acknowledge('lxc_disk_105', 'permanent');
  clock.advance(CYCLE);
  // The journal is unreadable this cycle (vms UNKNOWN) but the guest list says 105 is gone.
  const events = store.applyCycle({
    evaluated: ALL.filter((c) => c !== 'vms'),
    findings: [],
    present: present(['100']),
  });
  expect(events.map((e) => e.type === 'resolved' && [e.errorKey, e.resolution, e.durationSeconds])).toEqual([
    ['vm_105', 'vanished', 300],
    ['lxc_disk_105', 'vanished', 300],
  ]);
  expect([...store.active(), ...store.dismissed()]).toEqual([]);
});
