import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Category, Finding, Severity } from '../finding.js';
import {
  DAY,
  finding,
  HOUR,
  MINUTE,
  openTestStore,
  resourceFinding,
  T0,
  type TestStore,
} from './fixtures/harness.js';
import type { HealthEvent } from './types.js';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.close());

const FIVE_MIN = 5 * MINUTE;
const types = (events: HealthEvent[]): string[] => events.map((e) => `${e.type}:${e.errorKey}`);

/** One cycle evaluating `cpu`, `storage` and `disks`, five minutes after the last. */
function cycle(
  findings: Finding[],
  evaluated: readonly Category[] = ['cpu', 'storage', 'disks'],
): HealthEvent[] {
  t.clock.advance(FIVE_MIN);
  return t.store.applyCycle({ evaluated, findings, present: {} });
}

describe('applyCycle: upsert by error key', () => {
  it('stores a new finding with one occurrence and logs `new`', () => {
    const events = t.store.applyCycle({
      evaluated: ['storage'],
      findings: [
        finding('zfs_pool_tank', 'storage', 'CRITICAL', {
          check: 'zfs_pool',
          reason: 'pool tank is DEGRADED',
          details: { resource: { kind: 'pool', id: 'tank' }, health: 'DEGRADED' },
        }),
      ],
      present: {},
    });
    expect(events).toEqual([
      {
        id: 1,
        at: T0,
        type: 'new',
        errorKey: 'zfs_pool_tank',
        category: 'storage',
        check: 'zfs_pool',
        severity: 'CRITICAL',
        reason: 'pool tank is DEGRADED',
        firstSeen: T0,
        occurrences: 1,
        details: { resource: { kind: 'pool', id: 'tank' }, health: 'DEGRADED' },
        resource: { kind: 'pool', id: 'tank' },
      },
    ]);
    expect(t.store.get('zfs_pool_tank')).toEqual({
      errorKey: 'zfs_pool_tank',
      category: 'storage',
      check: 'zfs_pool',
      severity: 'CRITICAL',
      reason: 'pool tank is DEGRADED',
      details: { resource: { kind: 'pool', id: 'tank' }, health: 'DEGRADED' },
      resource: { kind: 'pool', id: 'tank' },
      firstSeen: T0,
      lastSeen: T0,
      occurrences: 1,
    });
    expect(t.store.events()).toEqual(events);
  });

  it('counts a finding seen again, updating last seen, reason and details quietly', () => {
    cycle([finding('cpu_usage', 'cpu', 'WARNING', { reason: 'CPU at 88%', details: { value: 88 } })]);
    const events = cycle([
      finding('cpu_usage', 'cpu', 'WARNING', { reason: 'CPU at 91%', details: { value: 91 } }),
    ]);
    expect(events).toEqual([]);
    expect(t.store.get('cpu_usage')).toMatchObject({
      occurrences: 2,
      firstSeen: T0 + FIVE_MIN,
      lastSeen: T0 + 2 * FIVE_MIN,
      reason: 'CPU at 91%',
      details: { value: 91 },
    });
  });

  it.each<[Severity, Severity, string]>([
    ['WARNING', 'CRITICAL', 'escalated'],
    ['INFO', 'WARNING', 'escalated'],
    ['INFO', 'CRITICAL', 'escalated'],
    ['CRITICAL', 'WARNING', 'downgraded'],
    ['WARNING', 'INFO', 'downgraded'],
  ])('%s → %s is %s', (from, to, type) => {
    cycle([finding('cpu_usage', 'cpu', from)]);
    const events = cycle([finding('cpu_usage', 'cpu', to)]);
    expect(events).toMatchObject([
      { type, errorKey: 'cpu_usage', severity: to, previousSeverity: from, occurrences: 2 },
    ]);
    expect(t.store.get('cpu_usage')?.severity).toBe(to);
  });

  it('keeps one row per key when a check reports a key twice (the worst wins)', () => {
    const events = cycle([finding('cpu_usage', 'cpu', 'WARNING'), finding('cpu_usage', 'cpu', 'CRITICAL')]);
    expect(events).toMatchObject([{ type: 'new', severity: 'CRITICAL' }]);
    expect(t.db.prepare(`SELECT count(*) AS n FROM health_errors`).get()).toEqual({ n: 1 });
  });

  it('does not let a clock stepped back put last seen before first seen', () => {
    cycle([finding('cpu_usage', 'cpu')]);
    const firstSeen = t.clock.t;
    t.clock.advance(-HOUR);
    t.store.applyCycle({ evaluated: ['cpu'], findings: [finding('cpu_usage', 'cpu')], present: {} });
    expect(t.store.get('cpu_usage')).toMatchObject({ firstSeen, lastSeen: firstSeen, occurrences: 2 });
    t.store.applyCycle({ evaluated: ['cpu'], findings: [], present: {} });
    expect(t.store.get('cpu_usage')).toMatchObject({ resolvedAt: firstSeen, resolution: 'auto' });
  });

  it('applies a cycle in one transaction: a failing write leaves nothing behind', () => {
    cycle([finding('cpu_usage', 'cpu')]);
    const bad = { ...finding('memory_usage', 'memory'), severity: 'FATAL' as Severity };
    expect(() =>
      cycle([finding('cpu_usage', 'cpu', 'CRITICAL'), finding('swap_usage', 'memory'), bad]),
    ).toThrow(/CHECK constraint/);
    expect(t.store.get('cpu_usage')).toMatchObject({ severity: 'WARNING', occurrences: 1 });
    expect(t.store.get('swap_usage')).toBeUndefined();
    expect(t.store.events().map((e) => e.type)).toEqual(['new']);
  });
});

describe('applyCycle: dismissals', () => {
  it('counts a dismissed error without events and keeps it hidden while the dismissal lasts', () => {
    cycle([finding('zfs_pool_tank', 'storage', 'CRITICAL')]);
    const ack = t.store.acknowledge('zfs_pool_tank', '24h', 'alice');
    expect(ack.ok).toBe(true);
    const ackAt = t.clock.t;
    for (let i = 0; i < 5; i++) expect(cycle([finding('zfs_pool_tank', 'storage', 'CRITICAL')])).toEqual([]);
    expect(t.store.active()).toEqual([]);
    expect(t.store.dismissed()).toMatchObject([
      {
        errorKey: 'zfs_pool_tank',
        occurrences: 6,
        dismissal: {
          at: ackAt,
          hours: 24,
          expiresAt: ackAt + DAY,
          source: 'explicit',
          by: 'alice',
          inForce: true,
        },
      },
    ]);
  });

  it('updates a dismissed error quietly even when its severity changes', () => {
    cycle([finding('cpu_usage', 'cpu', 'WARNING')]);
    t.store.acknowledge('cpu_usage', '24h');
    expect(cycle([finding('cpu_usage', 'cpu', 'CRITICAL')])).toEqual([]);
    expect(t.store.dismissed()).toMatchObject([{ errorKey: 'cpu_usage', severity: 'CRITICAL' }]);
  });

  it('re-arms an error whose dismissal expired while it went on: `retriggered`, no longer dismissed', () => {
    cycle([finding('cpu_usage', 'cpu')]);
    t.store.acknowledge('cpu_usage', '24h');
    const ackAt = t.clock.t;
    t.clock.t = ackAt + DAY - 1;
    expect(
      t.store.applyCycle({ evaluated: ['cpu'], findings: [finding('cpu_usage', 'cpu')], present: {} }),
    ).toEqual([]);
    // Expired between cycles: shown again at once, re-triggered when next seen.
    t.clock.t = ackAt + DAY;
    expect(t.store.active().map((e) => e.errorKey)).toEqual(['cpu_usage']);
    expect(t.store.get('cpu_usage')?.dismissal?.inForce).toBe(false);
    const events = t.store.applyCycle({
      evaluated: ['cpu'],
      findings: [finding('cpu_usage', 'cpu')],
      present: {},
    });
    expect(events).toMatchObject([
      { type: 'retriggered', errorKey: 'cpu_usage', occurrences: 3, firstSeen: T0 + FIVE_MIN },
    ]);
    expect(t.store.get('cpu_usage')?.dismissal).toBeUndefined();
    expect(t.store.dismissed()).toEqual([]);
  });

  it('never expires a permanent dismissal', () => {
    cycle([finding('cpu_usage', 'cpu')]);
    t.store.acknowledge('cpu_usage', 'permanent');
    t.clock.advance(3 * 365 * DAY);
    expect(cycle([finding('cpu_usage', 'cpu')])).toEqual([]);
    expect(t.store.dismissed()).toMatchObject([
      { errorKey: 'cpu_usage', dismissal: { hours: 'permanent', expiresAt: null, inForce: true } },
    ]);
  });

  it('stores a new finding of an auto-dismissed category already dismissed for its default', () => {
    t.store.putSettings({ suppression: { updates: { dismissHours: 168, autoDismiss: true } } });
    t.clock.advance(FIVE_MIN);
    const events = t.store.applyCycle({
      evaluated: ['updates', 'cpu'],
      findings: [finding('security_updates', 'updates'), finding('cpu_usage', 'cpu')],
      present: {},
    });
    expect(types(events)).toEqual(['auto_dismissed:security_updates', 'new:cpu_usage']);
    expect(t.store.dismissed()).toMatchObject([
      {
        errorKey: 'security_updates',
        dismissal: {
          at: t.clock.t,
          hours: 168,
          expiresAt: t.clock.t + 7 * DAY,
          source: 'auto',
          inForce: true,
        },
      },
    ]);
    expect(t.store.active().map((e) => e.errorKey)).toEqual(['cpu_usage']);
  });

  it('does not auto-dismiss an error that was already there when the setting was turned on', () => {
    cycle([finding('cpu_usage', 'cpu')]);
    t.store.putSettings({ suppression: { cpu: { autoDismiss: true } } });
    expect(cycle([finding('cpu_usage', 'cpu')])).toEqual([]);
    expect(t.store.active().map((e) => e.errorKey)).toEqual(['cpu_usage']);
  });
});

describe('applyCycle: auto-resolve', () => {
  it('resolves an error of an evaluated category whose finding is gone, with its duration', () => {
    cycle([finding('cpu_usage', 'cpu'), finding('zfs_pool_tank', 'storage', 'CRITICAL')]);
    t.clock.advance(HOUR);
    const events = cycle([finding('zfs_pool_tank', 'storage', 'CRITICAL')]);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'resolved',
        errorKey: 'cpu_usage',
        resolution: 'auto',
        resolutionReason: 'no longer detected',
        durationSeconds: 3900,
        at: T0 + 2 * FIVE_MIN + HOUR,
      }),
    ]);
    expect(t.store.get('cpu_usage')).toMatchObject({
      resolvedAt: T0 + 2 * FIVE_MIN + HOUR,
      resolution: 'auto',
    });
    expect(t.store.active().map((e) => e.errorKey)).toEqual(['zfs_pool_tank']);
  });

  it('leaves errors of categories not evaluated this cycle (UNKNOWN or skipped) alone', () => {
    cycle([finding('cpu_usage', 'cpu'), finding('security_updates', 'updates')]);
    expect(cycle([], ['storage'])).toEqual([]);
    expect(
      t.store
        .active()
        .map((e) => e.errorKey)
        .sort(),
    ).toEqual(['cpu_usage', 'security_updates']);
  });

  it('keeps a dismissed error while its dismissal lasts, and resolves it once expired', () => {
    cycle([finding('cpu_usage', 'cpu')]);
    t.store.acknowledge('cpu_usage', '24h');
    expect(cycle([])).toEqual([]);
    expect(t.store.dismissed()).toHaveLength(1);
    t.clock.advance(DAY);
    expect(types(cycle([]))).toEqual(['resolved:cpu_usage']);
    expect(t.store.dismissed()).toEqual([]);
  });

  it('starts a new row (and a `new` event) when a resolved key comes back', () => {
    cycle([finding('cpu_usage', 'cpu')]);
    cycle([]);
    const events = cycle([finding('cpu_usage', 'cpu')]);
    expect(events).toMatchObject([{ type: 'new', occurrences: 1, firstSeen: t.clock.t }]);
    expect(
      t.db.prepare(`SELECT count(*) AS n FROM health_errors WHERE error_key = 'cpu_usage'`).get(),
    ).toEqual({
      n: 2,
    });
  });
});

describe('applyCycle: vanished resources', () => {
  const guest101 = resourceFinding('vm_101', 'vms', 'guest', '101', 'CRITICAL');
  const guest102 = resourceFinding('ct_102', 'vms', 'guest', '102');
  const lxcDisk = resourceFinding('lxc_disk_102', 'storage', 'guest', '102');

  it('resolves errors about a resource missing from its category inventory, dismissed ones included', () => {
    t.store.applyCycle({
      evaluated: ['vms', 'storage'],
      findings: [guest101, guest102, lxcDisk],
      present: {},
    });
    t.store.acknowledge('ct_102', 'permanent');
    t.store.acknowledge('lxc_disk_102', '30d');
    t.clock.advance(FIVE_MIN);
    // Guest 102 deleted; the storage category is UNKNOWN this cycle but still knows the guest list.
    const events = t.store.applyCycle({
      evaluated: ['vms'],
      findings: [guest101],
      present: { vms: { guest: new Set(['101']) }, storage: { guest: new Set(['101']) } },
    });
    expect(
      events.map((e) => e.type === 'resolved' && [e.errorKey, e.resolution, e.resolutionReason]),
    ).toEqual([
      ['ct_102', 'vanished', 'resource vanished'],
      ['lxc_disk_102', 'vanished', 'resource vanished'],
    ]);
    expect(t.store.active().map((e) => e.errorKey)).toEqual(['vm_101']);
    expect(t.store.dismissed()).toEqual([]);
  });

  it('cleans nothing when the kind is unknown this cycle (source down) or the category gave no inventory', () => {
    t.store.applyCycle({ evaluated: ['vms'], findings: [guest101, guest102], present: {} });
    t.store.acknowledge('ct_102', '24h');
    t.clock.advance(FIVE_MIN);
    t.store.applyCycle({ evaluated: ['vms'], findings: [guest101], present: { vms: { disk: new Set() } } });
    t.store.applyCycle({
      evaluated: ['vms'],
      findings: [guest101],
      present: { storage: { guest: new Set() } },
    });
    expect(t.store.dismissed().map((e) => e.errorKey)).toEqual(['ct_102']);
  });

  it('keeps an error a check still reports even if the inventory misses its resource', () => {
    t.store.applyCycle({ evaluated: ['vms'], findings: [guest101], present: { vms: { guest: new Set() } } });
    expect(t.store.active().map((e) => e.errorKey)).toEqual(['vm_101']);
  });

  it('ignores a details.resource that is not a {kind, id}', () => {
    const odd = finding('vm_7', 'vms', 'WARNING', { details: { resource: { kind: 'planet', id: '7' } } });
    t.store.applyCycle({ evaluated: ['vms'], findings: [odd], present: {} });
    expect(t.store.get('vm_7')?.resource).toBeUndefined();
    t.store.applyCycle({ evaluated: [], findings: [], present: { vms: { guest: new Set() } } });
    expect(t.store.get('vm_7')?.resolvedAt).toBeUndefined();
  });
});

describe('applyCycle: persistent', () => {
  it('logs `persistent` once, when an active error reaches 12 occurrences', () => {
    const seen: string[] = [];
    for (let i = 1; i <= 20; i++) {
      for (const e of cycle([finding('cpu_usage', 'cpu')])) seen.push(`${i}:${e.type}`);
    }
    expect(seen).toEqual(['1:new', '12:persistent']);
    expect(t.store.get('cpu_usage')?.persistentAt).toBe(T0 + 12 * FIVE_MIN);
  });

  it('takes the count as an option, and stays quiet for a dismissed error', () => {
    t.close();
    t = openTestStore({ persistentAfter: 3 });
    cycle([finding('cpu_usage', 'cpu'), finding('memory_usage', 'memory')]);
    t.store.acknowledge('memory_usage', '24h');
    cycle([finding('cpu_usage', 'cpu'), finding('memory_usage', 'memory')]);
    const events = cycle([finding('cpu_usage', 'cpu'), finding('memory_usage', 'memory')]);
    expect(types(events)).toEqual(['persistent:cpu_usage']);
    expect(events[0]).toMatchObject({ occurrences: 3 });
  });
});

describe('acknowledge and unacknowledge', () => {
  it.each([
    ['24h', 24],
    ['72h', 72],
    ['7d', 168],
    ['30d', 720],
    ['1y', 8760],
  ] as const)('%s dismisses for %d hours from now', (duration, hours) => {
    cycle([finding('cpu_usage', 'cpu')]);
    const result = t.store.acknowledge('cpu_usage', duration, 'bob');
    expect(result).toMatchObject({
      ok: true,
      value: {
        error: { dismissal: { hours, expiresAt: t.clock.t + hours * HOUR, source: 'explicit', by: 'bob' } },
        events: [
          {
            type: 'dismissed',
            errorKey: 'cpu_usage',
            hours,
            expiresAt: t.clock.t + hours * HOUR,
            actor: 'bob',
          },
        ],
      },
    });
    t.clock.advance(hours * HOUR - 1);
    expect(t.store.dismissed()).toHaveLength(1);
    t.clock.advance(1);
    expect(t.store.dismissed()).toHaveLength(0);
  });

  it('uses the category default when no duration is given', () => {
    t.store.putSettings({ suppression: { cpu: { dismissHours: 72 } } });
    cycle([finding('cpu_usage', 'cpu')]);
    expect(t.store.acknowledge('cpu_usage')).toMatchObject({
      ok: true,
      value: { error: { dismissal: { hours: 72, source: 'default' } } },
    });
    cycle([finding('zfs_pool_tank', 'storage')]);
    expect(t.store.acknowledge('zfs_pool_tank')).toMatchObject({
      ok: true,
      value: { error: { dismissal: { hours: 24, source: 'default' } } },
    });
  });

  it('answers not_found for a missing or resolved key, and invalid for an unknown duration', () => {
    expect(t.store.acknowledge('nope', '24h')).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'no unresolved health error with key nope' },
    });
    cycle([finding('cpu_usage', 'cpu')]);
    cycle([]);
    expect(t.store.acknowledge('cpu_usage')).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(t.store.unacknowledge('cpu_usage')).toMatchObject({ ok: false, error: { code: 'not_found' } });
    cycle([finding('cpu_usage', 'cpu')]);
    expect(t.store.acknowledge('cpu_usage', '2w' as '24h')).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
    expect(t.store.acknowledge('cpu_usage', 'toString' as '24h')).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
  });

  it('un-dismisses: the error is active again and `undismissed` is logged; a second call changes nothing', () => {
    cycle([finding('cpu_usage', 'cpu')]);
    t.store.acknowledge('cpu_usage', '7d');
    const result = t.store.unacknowledge('cpu_usage', 'carol');
    expect(result).toMatchObject({ ok: true, value: { events: [{ type: 'undismissed', actor: 'carol' }] } });
    expect(t.store.active().map((e) => e.errorKey)).toEqual(['cpu_usage']);
    expect(t.store.get('cpu_usage')?.dismissal).toBeUndefined();
    expect(t.store.unacknowledge('cpu_usage')).toMatchObject({ ok: true, value: { events: [] } });
    // Seen again after un-dismissing: an ordinary repeat, not a re-trigger.
    expect(cycle([finding('cpu_usage', 'cpu')])).toEqual([]);
  });

  it('re-dismissing replaces the dismissal, counted from now', () => {
    cycle([finding('cpu_usage', 'cpu')]);
    t.store.acknowledge('cpu_usage', '24h');
    t.clock.advance(HOUR);
    t.store.acknowledge('cpu_usage', '72h');
    expect(t.store.get('cpu_usage')?.dismissal).toMatchObject({
      at: t.clock.t,
      expiresAt: t.clock.t + 72 * HOUR,
    });
  });
});

describe('settings', () => {
  it('defaults every category to a 24 h dismissal and no auto-dismiss', () => {
    const { suppression } = t.store.getSettings();
    expect(Object.keys(suppression)).toEqual([
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
    ]);
    expect(suppression.cpu).toEqual({ dismissHours: 24, autoDismiss: false });
  });

  it('merges a change into the stored settings and rejects invalid ones', () => {
    expect(t.store.putSettings({ suppression: { logs: { dismissHours: 'permanent' } } })).toMatchObject({
      ok: true,
      value: { suppression: { logs: { dismissHours: 'permanent', autoDismiss: false } } },
    });
    t.store.putSettings({ suppression: { logs: { autoDismiss: true } } });
    expect(t.store.getSettings().suppression.logs).toEqual({ dismissHours: 'permanent', autoDismiss: true });
    for (const bad of [
      { suppression: { logs: { dismissHours: 0 } } },
      { suppression: { logs: { dismissHours: 1.5 } } },
      { suppression: { kettle: { dismissHours: 24 } } },
      { suppression: { logs: { dismissHours: 24, extra: 1 } } },
      'nonsense',
    ]) {
      expect(t.store.putSettings(bad)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    }
    expect(t.store.getSettings().suppression.logs).toEqual({ dismissHours: 'permanent', autoDismiss: true });
  });

  it('re-syncs dismissals in force that follow the default, not explicit or expired ones', () => {
    t.clock.advance(FIVE_MIN);
    t.store.applyCycle({
      evaluated: ['cpu'],
      findings: ['a', 'b', 'c']
        .map((k) => finding(`cpu_${k}`, 'cpu'))
        .concat(finding('memory_usage', 'memory')),
      present: {},
    });
    t.store.acknowledge('cpu_a');
    t.store.acknowledge('cpu_b', '24h');
    t.store.acknowledge('memory_usage');
    t.clock.advance(-2 * DAY); // cpu_c's dismissal (made "earlier") is already over
    t.store.acknowledge('cpu_c');
    t.clock.advance(2 * DAY);
    t.store.putSettings({ suppression: { cpu: { dismissHours: 720 } } });
    const hours = Object.fromEntries(
      ['cpu_a', 'cpu_b', 'cpu_c', 'memory_usage'].map((k) => [k, t.store.get(k)?.dismissal?.hours]),
    );
    expect(hours).toEqual({ cpu_a: 720, cpu_b: 24, cpu_c: 24, memory_usage: 24 });
  });

  it('stores threshold overrides as given', () => {
    expect(t.store.getThresholdOverrides()).toEqual({});
    t.store.putThresholdOverrides({ cpu: { usage_warning: 90 } });
    expect(t.store.getThresholdOverrides()).toEqual({ cpu: { usage_warning: 90 } });
    t.store.putThresholdOverrides({});
    expect(t.store.getThresholdOverrides()).toEqual({});
  });
});

describe('exclusions', () => {
  it('creates, lists, updates (keeping created_at) and deletes exclusions', () => {
    const created = t.store.putExclusion('storage', 'backup-nfs', {
      health: false,
      notifications: false,
      reason: 'offsite',
    });
    expect(created.exclusion).toEqual({
      kind: 'storage',
      name: 'backup-nfs',
      health: false,
      notifications: false,
      reason: 'offsite',
      createdAt: T0,
    });
    t.clock.advance(HOUR);
    t.store.putExclusion('storage', 'backup-nfs', { health: true, notifications: false });
    t.store.putExclusion('interface', 'eth9', { health: true, notifications: false });
    expect(t.store.listExclusions()).toEqual([
      { kind: 'interface', name: 'eth9', health: true, notifications: false, createdAt: T0 + HOUR },
      { kind: 'storage', name: 'backup-nfs', health: true, notifications: false, createdAt: T0 },
    ]);
    expect(t.store.listExclusions('interface').map((e) => e.name)).toEqual(['eth9']);
    const ex = t.store.exclusions();
    expect([...ex.storages]).toEqual([['backup-nfs', { health: true, notifications: false }]]);
    expect([...ex.interfaces]).toEqual([['eth9', { health: true, notifications: false }]]);
    expect(t.store.deleteExclusion('storage', 'backup-nfs')).toBe(true);
    expect(t.store.deleteExclusion('storage', 'backup-nfs')).toBe(false);
    expect(t.store.getExclusion('storage', 'backup-nfs')).toBeUndefined();
  });

  it('excluding a resource from health resolves its errors and ignores its later findings', () => {
    const nfs = resourceFinding('storage_unavailable_nfs', 'storage', 'storage', 'nfs', 'CRITICAL');
    const nfsFull = resourceFinding('pve_storage_full_nfs', 'storage', 'storage', 'nfs');
    const local = resourceFinding('pve_storage_full_local', 'storage', 'storage', 'local');
    cycle([nfs, nfsFull, local]);
    t.store.acknowledge('pve_storage_full_nfs', '24h');
    // Notifications only: health still tracks it.
    expect(t.store.putExclusion('storage', 'nfs', { health: true, notifications: false }).events).toEqual([]);
    const { events } = t.store.putExclusion('storage', 'nfs', { health: false, notifications: false });
    expect(events.map((e) => e.type === 'resolved' && [e.errorKey, e.resolution])).toEqual([
      ['storage_unavailable_nfs', 'excluded'],
      ['pve_storage_full_nfs', 'excluded'],
    ]);
    expect(cycle([nfs, nfsFull, local])).toEqual([]);
    expect(t.store.active().map((e) => e.errorKey)).toEqual(['pve_storage_full_local']);
    // An interface of the same name is another resource.
    t.store.putExclusion('interface', 'local', { health: false, notifications: false });
    expect(t.store.active().map((e) => e.errorKey)).toEqual(['pve_storage_full_local']);
  });
});

describe('queries', () => {
  it('lists active errors worst first, then oldest', () => {
    cycle([finding('cpu_usage', 'cpu', 'INFO'), finding('disk_space_var', 'disks', 'WARNING')]);
    cycle([
      finding('cpu_usage', 'cpu', 'INFO'),
      finding('disk_space_var', 'disks', 'WARNING'),
      finding('zfs_pool_tank', 'storage', 'CRITICAL'),
      finding('disk_space_boot', 'disks', 'WARNING'),
    ]);
    expect(t.store.active().map((e) => e.errorKey)).toEqual([
      'zfs_pool_tank',
      'disk_space_var',
      'disk_space_boot',
      'cpu_usage',
    ]);
  });

  it('counts active errors per category and severity, zeros included', () => {
    cycle([
      finding('cpu_usage', 'cpu', 'CRITICAL'),
      finding('zfs_pool_a', 'storage', 'CRITICAL'),
      finding('zfs_pool_b', 'storage', 'CRITICAL'),
      finding('zfs_pool_full_b', 'storage', 'WARNING'),
      finding('zfs_pool_c', 'storage', 'CRITICAL'),
    ]);
    t.store.acknowledge('zfs_pool_c', '24h');
    const counts = t.store.counts();
    expect(counts.storage).toEqual({ INFO: 0, WARNING: 1, CRITICAL: 2 });
    expect(counts.cpu).toEqual({ INFO: 0, WARNING: 0, CRITICAL: 1 });
    expect(counts.security).toEqual({ INFO: 0, WARNING: 0, CRITICAL: 0 });
    expect(Object.keys(counts)).toHaveLength(10);
  });

  it('gets the unresolved row of a key, else its last resolved one', () => {
    cycle([finding('cpu_usage', 'cpu', 'WARNING')]);
    cycle([]);
    expect(t.store.get('cpu_usage')).toMatchObject({ severity: 'WARNING', resolution: 'auto' });
    cycle([finding('cpu_usage', 'cpu', 'CRITICAL')]);
    expect(t.store.get('cpu_usage')).toMatchObject({ severity: 'CRITICAL', occurrences: 1 });
    expect(t.store.get('cpu_usage')?.resolvedAt).toBeUndefined();
    expect(t.store.get('never_seen')).toBeUndefined();
  });

  it('pages events newest first, by id, optionally for one key', () => {
    for (let i = 0; i < 6; i++)
      cycle(i % 2 === 0 ? [finding('cpu_usage', 'cpu'), finding(`k${i}`, 'disks')] : []);
    const all = t.store.events({ limit: 1000 });
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => b - a));
    const page1 = t.store.events({ limit: 3 });
    const page2 = t.store.events({ limit: 3, before: page1.at(-1)!.id });
    expect([...page1, ...page2]).toEqual(all.slice(0, 6));
    expect(t.store.events({ errorKey: 'cpu_usage' }).map((e) => e.type)).toEqual([
      'resolved',
      'new',
      'resolved',
      'new',
      'resolved',
      'new',
    ]);
    expect(t.store.events({ limit: 0 })).toHaveLength(1);
  });
});

describe('retention', () => {
  it('deletes resolved errors after 7 days and events after 30 days', () => {
    cycle([finding('cpu_usage', 'cpu'), finding('memory_usage', 'memory')]);
    cycle([], ['cpu']); // cpu_usage resolved
    t.clock.advance(7 * DAY);
    expect(t.store.cleanup()).toEqual({ errorsDeleted: 0, eventsDeleted: 0 });
    t.clock.advance(1);
    expect(t.store.cleanup()).toEqual({ errorsDeleted: 1, eventsDeleted: 0 });
    expect(t.store.get('cpu_usage')).toBeUndefined();
    expect(t.store.get('memory_usage')).toBeDefined();
    t.clock.advance(23 * DAY);
    expect(t.store.cleanup()).toEqual({ errorsDeleted: 0, eventsDeleted: 3 });
    expect(t.store.events()).toEqual([]);
  });

  it('runs from applyCycle at most once per hour, with configurable ages', () => {
    t.close();
    t = openTestStore({ resolvedRetentionMs: 10 * MINUTE, eventRetentionMs: 20 * MINUTE });
    const count = (): unknown => t.db.prepare(`SELECT count(*) AS n FROM health_errors`).get();
    cycle([finding('a', 'cpu')]); // cleanup ran here (first cycle)
    cycle([]); // a resolved at T0 + 10 min
    t.clock.advance(55 * MINUTE); // 65 min after the first cycle
    t.store.applyCycle({ evaluated: [], findings: [], present: {} });
    expect(count()).toEqual({ n: 0 });
    t.store.applyCycle({ evaluated: ['cpu'], findings: [finding('b', 'cpu')], present: {} });
    t.clock.advance(30 * MINUTE);
    t.store.applyCycle({ evaluated: ['cpu'], findings: [], present: {} }); // b resolved; no cleanup yet
    t.clock.advance(20 * MINUTE);
    t.store.applyCycle({ evaluated: [], findings: [], present: {} });
    expect(count()).toEqual({ n: 1 });
    t.clock.advance(10 * MINUTE); // an hour after the last cleanup
    t.store.applyCycle({ evaluated: [], findings: [], present: {} });
    expect(count()).toEqual({ n: 0 });
    expect(t.store.events()).toEqual([]);
  });
});

describe('schema', () => {
  it('creates STRICT tables, and refuses a second unresolved row for a key', () => {
    const tables = t.db
      .prepare(`SELECT name, strict FROM pragma_table_list WHERE name LIKE 'health_%' ORDER BY name`)
      .all();
    expect(tables).toEqual(
      ['health_errors', 'health_events', 'health_exclusions', 'health_settings', 'health_suppression'].map(
        (name) => ({
          name,
          strict: 1,
        }),
      ),
    );
    cycle([finding('cpu_usage', 'cpu')]);
    expect(() =>
      t.db
        .prepare(
          `INSERT INTO health_errors (error_key, category, check_name, severity, reason, first_seen, last_seen, occurrences)
           VALUES ('cpu_usage', 'cpu', 'cpu', 'INFO', 'x', 0, 0, 1)`,
        )
        .run(),
    ).toThrow(/UNIQUE/);
  });

  it('answers the list queries from indexes', () => {
    const plan = (sql: string): string =>
      (t.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
        .map((r) => r.detail)
        .join('\n');
    expect(plan(`SELECT * FROM health_errors WHERE resolved_at IS NULL`)).toMatch(
      /USING INDEX health_errors_open/,
    );
    expect(plan(`SELECT * FROM health_errors WHERE error_key = 'x' ORDER BY id DESC LIMIT 1`)).toMatch(
      /USING (COVERING )?INDEX health_errors_key/,
    );
    expect(plan(`DELETE FROM health_errors WHERE resolved_at IS NOT NULL AND resolved_at < 5`)).toMatch(
      /health_errors_resolved_at/,
    );
    expect(plan(`DELETE FROM health_events WHERE at < 5`)).toMatch(/health_events_at/);
    expect(plan(`SELECT * FROM health_events WHERE error_key = 'x' ORDER BY id DESC`)).toMatch(
      /health_events_key/,
    );
  });
});
