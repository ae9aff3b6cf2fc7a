import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPveAccess } from '../../pve/index.js';
import { sourceContext } from '../../test-support/source-context.js';
import { createPveBackupsSource, type PveBackupsSnapshot } from './backups.js';
import { counting, fakeClient, NOW_MS, startModes, type Modes } from './fixtures/clients.js';

let modes: Modes;
beforeAll(async () => {
  modes = await startModes();
});
afterAll(() => modes.close());

const ctx = () => sourceContext({ now: () => NOW_MS });
/** The recorded `synology` NFS storage never answers its content listing. */
const STORAGE_TIMEOUT_MS = 2000;

async function collect(...args: Parameters<typeof createPveBackupsSource>): Promise<PveBackupsSnapshot> {
  const r = await createPveBackupsSource(...args).collect(ctx());
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('createPveBackupsSource', () => {
  it('lists each backup storage on its own deadline: a hung one fails alone (pvesh and API alike)', async () => {
    const run = async (mode: 'pvesh' | 'api') => {
      const client = counting(modes.client(mode));
      const s = await collect(createPveAccess({ client, hostname: 'pve' }), {
        storageTimeoutMs: STORAGE_TIMEOUT_MS,
      });
      return { s, calls: client.calls };
    };
    const started = Date.now();
    const [viaPvesh, viaApi] = await Promise.all([run('pvesh'), run('api')]);
    expect(Date.now() - started).toBeLessThan(STORAGE_TIMEOUT_MS + 3000);
    for (const { s, calls } of [viaPvesh, viaApi]) {
      expect(calls).toEqual(
        expect.arrayContaining([
          '/nodes/pve/storage/local/content?content=backup',
          '/nodes/pve/storage/synology/content?content=backup',
          '/nodes/pve/tasks?typefilter=vzdump&since=1784925200&limit=1000',
          '/cluster/backup-info/not-backed-up',
        ]),
      );
      expect(s.backups.map((b) => [b.volid, b.vmid, b.ctime])).toEqual([
        ['local:backup/vzdump-qemu-212-2026_07_31-20_36_33.vma.zst', 212, 1785522993],
      ]);
      expect(s.failedStorages).toEqual([
        { storage: 'synology', reason: expect.stringMatching(/timed out|timeout/i) as string },
      ]);
      // 212: the vzdump task ended after the archive's ctime; 211: only its task says so.
      expect(s.lastBackup).toEqual(
        new Map([
          [212, 1785523050],
          [211, 1785520300],
        ]),
      );
      expect(s.notCoveredByJob).toEqual([120, 213]);
    }
    // Identical but for the wording of the timeout.
    const same = (s: PveBackupsSnapshot) => ({
      ...s,
      failedStorages: s.failedStorages.map((f) => f.storage),
    });
    expect(same(viaApi.s)).toEqual(same(viaPvesh.s));
  });

  it('lists only active, enabled storages with backup content', async () => {
    const client = fakeClient({
      '/nodes': [{ node: 'pve1' }],
      '/nodes/pve1/storage': [
        { storage: 'local', content: 'iso,vztmpl', active: 1 },
        { storage: 'pbs', content: 'backup', active: 1, type: 'pbs' },
        { storage: 'usb', content: 'backup', active: 0 },
        { storage: 'old', content: 'backup,images', active: 1, enabled: 0 },
      ],
      '/nodes/pve1/storage/pbs/content': [
        { volid: 'pbs:backup/vm/101/2026-09-01T02:00:00Z', content: 'backup', vmid: 101, ctime: 1788228000 },
        { volid: 'pbs:backup/vm/101/2026-09-02T02:00:00Z', content: 'backup', vmid: 101, ctime: 1788314400 },
      ],
      '/nodes/pve1/tasks': [],
    });
    const s = await collect(createPveAccess({ client, hostname: 'pve1' }));
    expect(client.calls.filter((c) => c.includes('/content'))).toEqual(['/nodes/pve1/storage/pbs/content']);
    expect(s.lastBackup).toEqual(new Map([[101, 1788314400]]));
    // Not answered (an old PVE, no permission): unknown, not "every guest is covered".
    expect(s.notCoveredByJob).toBeUndefined();
    expect(s.failedStorages).toEqual([]);
  });

  it('reads vzdump tasks from /cluster/tasks in scope cluster and survives their failure', async () => {
    const replies = {
      '/nodes': [{ node: 'pve1' }],
      '/nodes/pve1/storage': [],
      '/cluster/tasks': [
        { upid: 'U1', type: 'vzdump', id: '300', status: 'OK', starttime: 10, endtime: 20 },
        { upid: 'U2', type: 'vzdump', id: '301', status: 'job errors', starttime: 10, endtime: 20 },
      ],
    };
    const cluster = await collect(
      createPveAccess({ client: fakeClient(replies), hostname: 'pve1', scope: 'cluster' }),
    );
    expect(cluster.lastBackup).toEqual(new Map([[300, 20]]));
    const node = await collect(createPveAccess({ client: fakeClient(replies), hostname: 'pve1' }));
    expect(node.lastBackup).toEqual(new Map());
  });

  it('fails when the storage list fails', async () => {
    const client = fakeClient({
      '/nodes': [{ node: 'pve1' }],
      '/nodes/pve1/storage': new Error('403 forbidden'),
    });
    const r = await createPveBackupsSource(createPveAccess({ client, hostname: 'pve1' })).collect(ctx());
    expect(r).toEqual({ ok: false, error: { kind: 'exit', message: '403 forbidden' } });
  });
});
