import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastBackupByGuest, parseBackups } from './backups.js';
import { parseClusterStatus } from './cluster-status.js';
import { parseGuestFsinfo } from './guest-fsinfo.js';
import { parseHaStatus } from './ha.js';
import { parseNodeStatus } from './node-status.js';
import { parseNotBackedUp } from './not-backed-up.js';
import { parseNodeQemu, parseQemuConfig } from './qemu-config.js';
import { parseReplication } from './replication.js';
import { parseClusterResources, parseClusterResourcesSliced } from './resources.js';
import { parseNodeStorage } from './storage.js';
import { failedTasksByType, lastVzdumpByGuest, parseTasks } from './tasks.js';
import { parseVersion } from './version.js';
import { fixture } from './test-fixture.js';

const parsers = {
  parseClusterResources,
  parseClusterStatus,
  parseNodeStatus,
  parseVersion,
  parseNodeStorage,
  parseTasks,
  parseHaStatus,
  parseBackups,
  parseReplication,
  parseQemuConfig,
  parseNodeQemu,
  parseGuestFsinfo,
  parseNotBackedUp,
};

/** A Result is either ok or a parse error with a message; nothing else. */
function wellFormed(r: { ok: boolean; error?: { kind: string; message: string } }): boolean {
  return r.ok || (r.error?.kind === 'parse' && r.error.message.length > 0);
}

/** Real rows with some fields replaced by arbitrary JSON. */
function mutatedRows(rows: unknown[]): fc.Arbitrary<unknown[]> {
  return fc
    .array(fc.tuple(fc.nat(rows.length - 1), fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 })), {
      maxLength: 30,
    })
    .map((edits) => edits.map(([i, patch]) => ({ ...(rows[i] as object), ...patch })));
}

function rowsOfFixture(name: string): unknown[] {
  const f = fixture(name);
  const data = Array.isArray(f) ? f : (f as { data: unknown[] }).data;
  return data;
}

describe('pve-model parsers never throw', () => {
  for (const [name, parse] of Object.entries(parsers)) {
    it(`${name}: random JSON and values`, () => {
      fc.assert(
        fc.property(fc.oneof(fc.jsonValue(), fc.anything(), fc.record({ data: fc.jsonValue() })), (input) => {
          expect(wellFormed(parse(input))).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('resources: the sliced parse gives what the one-piece parse gives', async () => {
    const rows = rowsOfFixture('pve92-cluster-resources-pool-network-real.json');
    const input = fc.oneof(mutatedRows(rows), fc.record({ data: mutatedRows(rows) }), fc.jsonValue());
    await fc.assert(
      fc.asyncProperty(input, fc.integer({ min: 1, max: 7 }), async (value, sliceRows) => {
        expect(await parseClusterResourcesSliced(value, sliceRows)).toEqual(parseClusterResources(value));
      }),
      { numRuns: 200 },
    );
  });

  it('resources: real rows with random fields stay well-typed', () => {
    const rows = rowsOfFixture('pve92-cluster-resources-pool-network-real.json');
    fc.assert(
      fc.property(mutatedRows(rows), (input) => {
        const r = parseClusterResources(input);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        for (const g of r.value.guests) {
          expect(Number.isInteger(g.vmid) && g.vmid > 0).toBe(true);
          for (const v of [g.cpu, g.mem, g.maxmem, g.netin, g.uptime]) {
            expect(v === undefined || Number.isFinite(v)).toBe(true);
          }
          expect(g.tags.every((t) => typeof t === 'string' && t !== '')).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('tasks and backups helpers: real rows with random fields', () => {
    const tasks = rowsOfFixture('pve-cluster-tasks-3node-real.json');
    const backups = rowsOfFixture('pve-storage-content-pbs-backups-real.json');
    fc.assert(
      fc.property(mutatedRows(tasks), mutatedRows(backups), (t, b) => {
        const pt = parseTasks(t);
        const pb = parseBackups(b);
        expect(pt.ok && pb.ok).toBe(true);
        if (!pt.ok || !pb.ok) return;
        for (const n of failedTasksByType(pt.value).values()) expect(n).toBeGreaterThan(0);
        for (const ts of lastVzdumpByGuest(pt.value).values()) expect(Number.isFinite(ts)).toBe(true);
        for (const [vmid, last] of lastBackupByGuest(pb.value)) expect(last.vmid).toBe(vmid);
      }),
      { numRuns: 200 },
    );
  });
});
