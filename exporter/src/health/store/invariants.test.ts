import fc from 'fast-check';
import { expect, it } from 'vitest';
import { CATEGORIES, type Category, type Finding, type Severity } from '../finding.js';
import { HOUR, MINUTE, openTestStore, type TestStore } from './fixtures/harness.js';
import { DISMISS_DURATIONS, type DismissDuration } from './types.js';

/** A small pool of keys, so random sequences keep hitting the same errors. */
const KEYS: { key: string; category: Category; resource?: { kind: string; id: string } }[] = [
  { key: 'cpu_usage', category: 'cpu' },
  { key: 'memory_usage', category: 'memory' },
  { key: 'zfs_pool_tank', category: 'disks', resource: { kind: 'pool', id: 'tank' } },
  { key: 'pve_storage_full_nfs', category: 'storage', resource: { kind: 'storage', id: 'nfs' } },
  { key: 'vm_101', category: 'vms', resource: { kind: 'guest', id: '101' } },
  { key: 'ct_102', category: 'vms', resource: { kind: 'guest', id: '102' } },
  { key: 'network_link_eth0', category: 'network', resource: { kind: 'interface', id: 'eth0' } },
  { key: 'security_updates', category: 'updates' },
];
const GUESTS = ['101', '102'];

const severity = fc.constantFrom<Severity>('INFO', 'WARNING', 'CRITICAL');
const keyIndex = fc.nat({ max: KEYS.length - 1 });
const duration = fc.option(fc.constantFrom(...(Object.keys(DISMISS_DURATIONS) as DismissDuration[])), {
  nil: undefined,
});

const command = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('cycle' as const),
      evaluated: fc.subarray([...CATEGORIES]),
      findings: fc.uniqueArray(fc.tuple(keyIndex, severity), {
        selector: ([i]) => i,
        maxLength: KEYS.length,
      }),
      guests: fc.option(fc.subarray(GUESTS), { nil: undefined }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      // Mostly forward, a cycle to a few days; now and then the clock steps back.
      ms: fc.oneof(fc.integer({ min: 0, max: 4 * 24 * HOUR }), fc.integer({ min: -HOUR, max: 0 })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ack' as const), key: keyIndex, duration }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unack' as const), key: keyIndex }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('settings' as const),
      category: fc.constantFrom(...CATEGORIES),
      dismissHours: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.constant('permanent' as const)),
      autoDismiss: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('exclude' as const),
      storage: fc.boolean(),
      health: fc.boolean(),
      remove: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'cleanup' as const }) },
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

function run(t: TestStore, c: Command): void {
  const { store } = t;
  switch (c.kind) {
    case 'cycle': {
      const findings: Finding[] = c.findings.map(([i, sev]) => {
        const k = KEYS[i]!;
        return {
          errorKey: k.key,
          category: k.category,
          check: k.key,
          severity: sev,
          reason: `${k.key} ${sev}`,
          ...(k.resource ? { details: { resource: k.resource } } : {}),
        };
      });
      const present = c.guests ? { vms: { guest: new Set(c.guests) } } : {};
      const events = store.applyCycle({ evaluated: c.evaluated, findings, present });
      checkCycle(t, c.evaluated, findings, events, present);
      return;
    }
    case 'advance':
      t.clock.advance(c.ms);
      return;
    case 'ack': {
      const result = store.acknowledge(KEYS[c.key]!.key, c.duration);
      if (result.ok) expect(store.dismissed().map((e) => e.errorKey)).toContain(KEYS[c.key]!.key);
      return;
    }
    case 'unack': {
      const result = store.unacknowledge(KEYS[c.key]!.key);
      if (result.ok) expect(store.active().map((e) => e.errorKey)).toContain(KEYS[c.key]!.key);
      return;
    }
    case 'settings': {
      const change = { dismissHours: c.dismissHours, autoDismiss: c.autoDismiss };
      expect(store.putSettings({ suppression: { [c.category]: change } })).toMatchObject({ ok: true });
      return;
    }
    case 'exclude': {
      const [kind, name] = c.storage ? (['storage', 'nfs'] as const) : (['interface', 'eth0'] as const);
      if (c.remove) store.deleteExclusion(kind, name);
      else store.putExclusion(kind, name, { health: c.health, notifications: false });
      return;
    }
    case 'cleanup':
      store.cleanup();
      return;
  }
}

function checkCycle(
  t: TestStore,
  evaluated: readonly Category[],
  findings: Finding[],
  events: { type: string; errorKey: string; occurrences: number }[],
  present: Partial<Record<Category, Partial<Record<string, ReadonlySet<string>>>>>,
): void {
  const excluded = new Set(
    t.store
      .listExclusions()
      .filter((e) => !e.health)
      .map((e) => `${e.kind}:${e.name}`),
  );
  const kept = findings.filter((f) => {
    const r = KEYS.find((k) => k.key === f.errorKey)!.resource;
    return !r || !excluded.has(`${r.kind}:${r.id}`);
  });
  const unresolved = new Map([...t.store.active(), ...t.store.dismissed()].map((e) => [e.errorKey, e]));
  // Every reported finding is stored, unresolved, with this cycle's severity.
  for (const f of kept) expect(unresolved.get(f.errorKey)?.severity).toBe(f.severity);
  // Nothing active of an evaluated category is left that this cycle did not report, except errors
  // about a kind of resource the category did not see this cycle (its source was down).
  const reported = new Set(kept.map((f) => f.errorKey));
  for (const e of t.store.active()) {
    const unseen = e.resource !== undefined && present[e.category]?.[e.resource.kind] === undefined;
    if (evaluated.includes(e.category) && !unseen) expect(reported.has(e.errorKey)).toBe(true);
  }
  for (const e of events) if (e.type === 'new' || e.type === 'auto_dismissed') expect(e.occurrences).toBe(1);
}

function checkInvariants(t: TestStore): void {
  const duplicates = t.db
    .prepare(
      `SELECT error_key FROM health_errors WHERE resolved_at IS NULL GROUP BY error_key HAVING count(*) > 1`,
    )
    .all();
  expect(duplicates).toEqual([]);
  const broken = t.db
    .prepare(
      `SELECT error_key FROM health_errors
       WHERE occurrences < 1 OR last_seen < first_seen OR (resolved_at IS NOT NULL AND resolved_at < first_seen)`,
    )
    .all();
  expect(broken).toEqual([]);
  const active = t.store.active().map((e) => e.errorKey);
  const dismissed = t.store.dismissed().map((e) => e.errorKey);
  expect(active.filter((k) => dismissed.includes(k))).toEqual([]);
  const unresolved = t.db
    .prepare(`SELECT error_key FROM health_errors WHERE resolved_at IS NULL`)
    .pluck()
    .all();
  expect([...active, ...dismissed].sort()).toEqual((unresolved as string[]).sort());
  const counted = Object.values(t.store.counts()).reduce((n, s) => n + s.INFO + s.WARNING + s.CRITICAL, 0);
  expect(counted).toBe(active.length);
}

it('random cycles, dismissals, settings and exclusions never break the store’s invariants', () => {
  fc.assert(
    fc.property(fc.array(command, { minLength: 1, maxLength: 40 }), (commands) => {
      const t = openTestStore({ persistentAfter: 3, cleanupIntervalMs: 30 * MINUTE });
      try {
        for (const c of commands) {
          run(t, c);
          checkInvariants(t);
        }
      } finally {
        t.close();
      }
    }),
    { numRuns: 100 },
  );
});
