import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findLocalNode } from './client.js';

describe('findLocalNode', () => {
  const nodes = [{ node: 'pve1' }, { node: 'PVE2' }, { node: 'pve3' }];

  it('matches the short hostname, ignoring case and domain', () => {
    expect(findLocalNode(nodes, 'pve2')).toBe(nodes[1]);
    expect(findLocalNode(nodes, 'pve2.example.lan')).toBe(nodes[1]);
    expect(findLocalNode(nodes, 'PVE3.Example.Lan')).toBe(nodes[2]);
  });

  it('finds nothing for another host or an empty name', () => {
    expect(findLocalNode(nodes, 'pve')).toBeUndefined();
    expect(findLocalNode(nodes, '')).toBeUndefined();
    expect(findLocalNode([], 'pve1')).toBeUndefined();
  });

  it('works on the recorded /nodes reply', () => {
    const body = JSON.parse(
      readFileSync(new URL('./fixtures/pve92-nodes-1node-real.json', import.meta.url), 'utf8'),
    ) as {
      data: Array<{ node: string; status: string }>;
    };
    expect(findLocalNode(body.data, 'pve.lab.example')?.status).toBe('online');
  });
});

describe('fixtures', () => {
  it('match the copies served by tests/fake-bin/pvesh-recorded', () => {
    const here = fileURLToPath(new URL('./fixtures/', import.meta.url));
    const there = fileURLToPath(new URL('../../../tests/fake-bin/fixtures/pve/', import.meta.url));
    const files = readdirSync(there)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files).toContain('routes.json');
    for (const f of files) expect(readFileSync(here + f, 'utf8'), f).toBe(readFileSync(there + f, 'utf8'));
  });
});
