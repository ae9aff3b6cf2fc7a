import { describe, expect, it } from 'vitest';
import { fail, ok, type Result } from '../sources/source.js';
import { createPveAccess } from './access.js';
import type { PveClient } from './client.js';

function client(replies: Record<string, Result<unknown>>, delayMs = 0): PveClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    mode: 'pvesh',
    calls,
    get: async <T>(path: string) => {
      calls.push(path);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return (replies[path] ?? fail('exit', `no ${path}`)) as Result<T>;
    },
    post: () => Promise.resolve(fail('exit', 'read-only')),
    put: () => Promise.resolve(fail('exit', 'read-only')),
    delete: () => Promise.resolve(fail('exit', 'read-only')),
    close: () => {},
  };
}

describe('createPveAccess', () => {
  it('finds the local node once, even for callers that ask at the same time', async () => {
    const c = client({ '/nodes': ok([{ node: 'pve1' }, { node: 'pve2' }]) }, 20);
    const access = createPveAccess({ client: c, hostname: 'PVE2.example.org' });
    const first = await Promise.all([access.localNode(), access.localNode(), access.localNode()]);
    expect(first).toEqual([ok('pve2'), ok('pve2'), ok('pve2')]);
    expect(await access.localNode()).toEqual(ok('pve2'));
    expect(c.calls).toEqual(['/nodes']);
  });

  it('falls back to the node that answered, and retries discovery after a failure', async () => {
    const replies: Record<string, Result<unknown>> = { '/nodes': fail('timeout', 'slow') };
    const c = client(replies);
    const access = createPveAccess({ client: c, hostname: 'grafana-box', scope: 'cluster' });
    expect(await access.localNode()).toEqual(fail('timeout', 'slow'));
    replies['/nodes'] = ok([{ node: 'a' }, { node: 'b' }]);
    replies['/cluster/status'] = ok([
      { type: 'node', name: 'a', local: 0, online: 1 },
      { type: 'node', name: 'b', local: 1, online: 1 },
    ]);
    expect(await access.localNode()).toEqual(ok('b'));
    expect(access.scope).toBe('cluster');
  });

  it('turns a missing pvesh into a failure only when pvesh is required', async () => {
    const c = client({ '/nodes': fail('absent', 'pvesh: not installed') });
    expect(await createPveAccess({ client: c, hostname: 'x' }).localNode()).toMatchObject({
      error: { kind: 'absent' },
    });
    expect(await createPveAccess({ client: c, hostname: 'x', requirePvesh: true }).localNode()).toEqual(
      fail('exit', 'pvesh: not installed (pve.mode is pvesh)'),
    );
  });
});
