import { describe, expect, it } from 'vitest';
import { parseNotBackedUp } from './not-backed-up.js';
import { exporterFixture, value } from './test-fixture.js';

describe('parseNotBackedUp', () => {
  it('reads guests no backup job covers (constructed, prometheus-pve-exporter)', () => {
    expect(value(parseNotBackedUp(exporterFixture('cluster/backup-info/not-backed-up')))).toEqual([
      { vmid: 100, type: 'qemu', name: undefined },
      { vmid: 101, type: 'lxc', name: undefined },
    ]);
  });

  it('takes string vmids and names, skips broken rows, rejects a non-list', () => {
    expect(
      value(parseNotBackedUp({ data: [{ vmid: '213', type: 'qemu', name: 'a' }, { vmid: 'x' }, 4] })),
    ).toEqual([{ vmid: 213, type: 'qemu', name: 'a' }]);
    expect(parseNotBackedUp({ data: null })).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });
});
