import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listDir, type ProcReader } from '../processes/sample.js';
import { readText } from '../sources/read.js';
import { startRouterHarness, type RouterHarness } from '../test-support/router-harness.js';
import { createProcessesRouter } from './processes.js';
import { processDetailResponse, processesResponse } from './processes-schema.js';

const FIXTURES = fileURLToPath(new URL('../processes/fixtures/', import.meta.url));
const AT = Date.parse('2026-11-26T10:00:00Z');

/**
 * /proc as recorded twice a second apart (proc-busy-yes/before and after): the sampler's sleep moves
 * the tree from one to the other, the way time moves the real one.
 */
function recordedProc(): {
  reader: ProcReader;
  sleep: (ms: number) => Promise<void>;
  slept: number[];
  rewind: () => void;
} {
  let phase = 'before';
  const slept: number[] = [];
  const map = (p: string) =>
    p.startsWith('/proc') ? join(FIXTURES, 'proc-busy-yes', phase, p.slice('/proc'.length)) : p;
  return {
    reader: {
      procfs: '/proc',
      rootfs: join(FIXTURES, 'rootfs'),
      readText: (p) => readText(map(p)),
      listDir: (p) => listDir(map(p)),
    },
    sleep: async (ms) => {
      slept.push(ms);
      phase = 'after';
    },
    slept,
    rewind: () => (phase = 'before'),
  };
}

let h: RouterHarness;
let proc: ReturnType<typeof recordedProc>;
beforeAll(async () => {
  proc = recordedProc();
  h = await startRouterHarness([
    createProcessesRouter({ reader: proc.reader, sleep: proc.sleep, now: () => AT, reuseMs: 0 }),
  ]);
});
afterAll(() => h.stop());
beforeEach(() => proc.rewind());

// /proc/stat: 409 ticks passed on 2 CPUs between the two reads; `yes` used 97 of them.
const WINDOW_TICKS = 2831998 - 2831589;

describe('GET /api/processes', () => {
  it('ranks by CPU over the sample: the busy `yes` first, with user, share and command', async () => {
    const r = await h.call('GET', '/api/processes');
    expect(r.status).toBe(200);
    const body = processesResponse.parse(r.body);
    expect(proc.slept.at(-1)).toBe(1000);
    expect(body).toMatchObject({
      captured_at: '2026-11-26T10:00:00.000Z',
      cpus: 2,
      memory_total_bytes: 24683620 * 1024,
      total: 4,
      sort: 'cpu',
    });
    expect(body.window_seconds).toBeCloseTo(WINDOW_TICKS / 100 / 2, 10);
    // The sleep that exited in the window is gone; the one started in it is there.
    expect(body.processes.map((p) => [p.pid, p.name])).toEqual([
      [12363, 'yes'],
      [12361, 'node'],
      [12390, 'sleep'],
      [2, 'kthreadd'],
    ]);
    const yes = body.processes[0]!;
    expect(yes).toMatchObject({
      ppid: 12360,
      state: 'R',
      uid: 65534,
      user: 'nobody',
      memory_resident_bytes: 1752 * 1024,
      threads: 1,
      nice: 0,
      cpu_seconds_total: 1.67,
      command: 'yes',
      started_at: new Date((1795658489 + 14206.49) * 1000).toISOString(),
    });
    expect(yes.cpu_usage_ratio).toBeCloseTo(97 / WINDOW_TICKS, 12);
    expect(yes.cpu_cores).toBeCloseTo((97 / WINDOW_TICKS) * 2, 12);
    expect(body.processes[1]).toMatchObject({
      cpu_usage_ratio: 0,
      command: `node -e setTimeout(()=>{},1e6) -- --password=*** --token *** --user admin`,
    });
    expect(body.processes[3]).toMatchObject({ command: '[kthreadd]', memory_resident_bytes: null });
  });

  it('ranks by resident memory and honours the limit', async () => {
    const r = await h.call('GET', '/api/processes?sort=mem&limit=2');
    const body = processesResponse.parse(r.body);
    expect(body.processes.map((p) => [p.pid, p.memory_resident_bytes])).toEqual([
      [12361, 40360 * 1024],
      [12390, 1760 * 1024],
    ]);
    expect(body.processes[0]?.memory_usage_ratio).toBeCloseTo(40360 / 24683620, 12);
    expect(body.total).toBe(4);
  });

  it('refuses an unknown sort, a bad limit and unknown parameters with 400', async () => {
    for (const q of ['sort=name', 'limit=0', 'limit=abc', 'limit=1001', 'user=root']) {
      const r = await h.call('GET', `/api/processes?${q}`);
      expect([q, r.status, (r.body.error as { code?: string })?.code]).toEqual([q, 400, 'validation_error']);
    }
  });

  it('needs the read scope', async () => {
    expect((await h.call('GET', '/api/processes', { scopes: null })).status).toBe(401);
    expect((await h.call('GET', '/api/processes', { scopes: ['terminal'] })).status).toBe(403);
  });
});

describe('GET /api/processes/:pid', () => {
  it('samples one process and adds open files and swap', async () => {
    const r = await h.call('GET', '/api/processes/12363');
    expect(r.status).toBe(200);
    const body = processDetailResponse.parse(r.body);
    expect(body.process).toMatchObject({
      pid: 12363,
      name: 'yes',
      user: 'nobody',
      memory_swap_bytes: 0,
      // The recording kept no fd directory.
      open_files: null,
    });
    expect(body.process.cpu_usage_ratio).toBeCloseTo(97 / WINDOW_TICKS, 12);
  });

  it('answers 404 for a process not running and 400 for a malformed pid', async () => {
    expect((await h.call('GET', '/api/processes/12371')).body).toEqual({
      error: { code: 'not_found', message: 'no process 12371' },
    });
    for (const bad of ['0', '-1', 'abc', '01', '99999999999', '1.5']) {
      const r = await h.call('GET', `/api/processes/${bad}`);
      expect([bad, r.status]).toEqual([bad, 400]);
    }
  });
});

describe('on a host without /proc', () => {
  it('answers 503 with the reason', async () => {
    const none = await startRouterHarness([
      createProcessesRouter({
        reader: { procfs: '/nonexistent-proc', rootfs: '/nonexistent', readText, listDir },
        sleep: async () => {},
      }),
    ]);
    try {
      const r = await none.call('GET', '/api/processes');
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ error: { code: 'unavailable' } });
    } finally {
      await none.stop();
    }
  });
});

describe('OpenAPI', () => {
  it('describes both process routes as read', async () => {
    const doc = (await h.call('GET', '/api/openapi.json')).body as {
      paths: Record<string, Record<string, { 'x-auth': string }>>;
    };
    expect(Object.entries(doc.paths).map(([p, m]) => [p, m.get?.['x-auth']])).toEqual([
      ['/api/processes', 'read'],
      ['/api/processes/{pid}', 'read'],
    ]);
  });
});
