import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createExec } from '../sources/exec.js';
import { makeTools } from '../test-support/tools.js';
import { createPveshClient } from './pvesh.js';

const fakeBin = (name: string) => fileURLToPath(new URL(`../../../tests/fake-bin/${name}`, import.meta.url));

describe('createPveshClient', () => {
  it('reports a host without pvesh as absent', async () => {
    const client = createPveshClient(createExec(), { tool: 'proxmon-no-such-pvesh' });
    expect(await client.get('/version')).toEqual({
      ok: false,
      error: { kind: 'absent', message: 'proxmon-no-such-pvesh: not installed' },
    });
  });

  it('maps a non-zero exit to exit with the first stderr line', async () => {
    const client = createPveshClient(createExec({ pvesh: fakeBin('pvesh-recorded') }));
    expect(await client.get('/nodes/pve/no-such')).toEqual({
      ok: false,
      error: { kind: 'exit', message: "No 'get' handler defined for '/nodes/pve/no-such'" },
    });
  });

  it('names the status when pvesh fails silently, and reports bad JSON as parse', async () => {
    const tools = makeTools({ quiet: 'exit 3', garbage: 'echo "{not json"' });
    const quiet = createPveshClient(createExec({ pvesh: tools.path('quiet') }));
    expect(await quiet.get('/version')).toEqual({
      ok: false,
      error: { kind: 'exit', message: 'pvesh get /version exited with status 3' },
    });
    const garbage = createPveshClient(createExec({ pvesh: tools.path('garbage') }));
    expect(await garbage.get('/version')).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });

  it('passes params as --key value and reads empty output as null', async () => {
    const tools = makeTools({ record: 'printf "%s|" "$@" > "$(dirname "$0")/args"' });
    const client = createPveshClient(createExec({ pvesh: tools.path('record') }));
    expect(await client.post('/nodes/pve/vzdump', { vmid: 100, mode: 'snapshot' })).toEqual({
      ok: true,
      value: null,
    });
    expect(readFileSync(join(tools.dir, 'args'), 'utf8')).toBe(
      'create|/nodes/pve/vzdump|--output-format|json|--vmid|100|--mode|snapshot|',
    );
  });

  it('times out a hung pvesh', async () => {
    const client = createPveshClient(createExec({ pvesh: fakeBin('hang') }), { timeoutMs: 200 });
    expect(await client.get('/version')).toMatchObject({ ok: false, error: { kind: 'timeout' } });
  });

  it('refuses option-like or unsafe paths and keys without running pvesh', async () => {
    const client = createPveshClient(createExec(), { tool: 'proxmon-no-such-pvesh' });
    for (const path of ['--help', 'version', '/a b', '/nodes/../x', '']) {
      expect(await client.get(path)).toMatchObject({ ok: false, error: { kind: 'exit' } });
    }
    expect(await client.get('/version', { '-x': 1 })).toMatchObject({ ok: false, error: { kind: 'exit' } });
  });
});
