import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPveAccess, createPveshClient } from '../pve/index.js';
import { createExec } from '../sources/exec.js';
import { makeTools } from '../test-support/tools.js';
import { startRouterHarness, type RouterHarness } from '../test-support/router-harness.js';
import { createLogsRouter } from './logs.js';
import { logsCountsResponse, logsResponse } from './logs-schema.js';

/** tests/journal.ts, loaded at run time: it lies outside the exporter's rootDir, so no static import. */
interface ExportEntry {
  timeMs: number;
  message: string | Uint8Array;
  priority?: number;
  identifier?: string;
  unit?: string;
  pid?: number;
}
interface JournalHelper {
  buildJournal(dir: string, entries: readonly ExportEntry[], name?: string): string;
  readJournalFixture(name: string): ExportEntry[];
}
const { buildJournal, readJournalFixture } = (await import(
  new URL('../../../tests/journal.ts', import.meta.url).href
)) as JournalHelper;

const T0 = Date.UTC(2026, 10, 26, 10);
const pveshRecorded = fileURLToPath(new URL('../../../tests/fake-bin/pvesh-recorded', import.meta.url));
const argsLog = join(mkdtempSync(join(tmpdir(), 'proxmon-pvesh-args-')), 'calls.log');
// The stand-in reads this folder's routes and appends each call's arguments to the log.
process.env.PVESH_FIXTURES = fileURLToPath(new URL('../logs/fixtures/pve', import.meta.url));
process.env.PVESH_ARGS_LOG = argsLog;

/** Besides the recorded fixtures: a debug line, and a message full of pattern characters. */
const EXTRA: ExportEntry[] = [
  {
    timeMs: T0 + 9 * 60_000,
    priority: 7,
    identifier: 'pvestatd',
    unit: 'pvestatd.service',
    message: 'status update time (1.02 seconds)',
  },
  {
    timeMs: T0 + 9 * 60_000 + 500,
    priority: 4,
    identifier: 'kernel',
    message: 'vmbr0: port 2(tap100i0) entered blocking state [x+y]*',
  },
];

let dir: string;
let h: RouterHarness;
let s: RouterHarness;
const TOTAL = 36 + 17 + EXTRA.length;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proxmon-logs-'));
  // In time order, as journald writes: journalctl seeks --since/--until by bisecting the file.
  buildJournal(
    dir,
    [
      ...readJournalFixture('failed-services.export'),
      ...readJournalFixture('auth-failures.export'),
      ...EXTRA,
    ].sort((a, b) => a.timeMs - b.timeMs),
  );
  const exec = createExec({ pvesh: pveshRecorded });
  const pve = createPveAccess({ client: createPveshClient(exec), hostname: 'pve' });
  h = await startRouterHarness([createLogsRouter({ exec, pve, directory: dir, now: () => T0 + 3_600_000 })]);
  // A second router whose download stops after 5 lines.
  s = await startRouterHarness([
    createLogsRouter({ exec, pve, directory: dir, now: () => T0 + 3_600_000, downloadMaxLines: 5 }),
  ]);
});
afterAll(async () => {
  await h.stop();
  await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

const page = async (query: string) => {
  const r = await h.call('GET', `/api/logs${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return logsResponse.parse(r.body);
};

describe('GET /api/logs (real journalctl over built journal files)', () => {
  it('lists the newest entries first with their fields', async () => {
    const body = await page('?limit=3');
    expect(body.entries.map((e) => [e.time, e.priority_name, e.identifier, e.message])).toEqual([
      [
        '2026-11-26T10:09:00.500Z',
        'warning',
        'kernel',
        'vmbr0: port 2(tap100i0) entered blocking state [x+y]*',
      ],
      ['2026-11-26T10:09:00.000Z', 'debug', 'pvestatd', 'status update time (1.02 seconds)'],
      [
        '2026-11-26T10:08:10.000Z',
        'warning',
        'systemd',
        'pveproxy.service: Start request repeated too quickly.',
      ],
    ]);
    expect(body.entries[1]).toMatchObject({
      priority: 7,
      unit: 'pvestatd.service',
      hostname: 'pve1',
      boot_id: '5f2c9e0a3b7d4c1e8a6f0b2d4e6a8c0e',
    });
    expect(body.next_cursor).toBe(body.entries[2]?.cursor);
    expect(body.malformed).toBe(0);
  });

  it('pages through the whole journal by cursor, each entry once, oldest last', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body = await page(`?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...body.entries.map((e) => e.cursor));
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(TOTAL);
    const all = await page('?limit=1000');
    expect(all.entries.map((e) => e.cursor)).toEqual(seen);
    expect(all.next_cursor).toBeNull();
    expect(all.entries.at(-1)?.message).toBe('Invalid user admin0 from 203.0.113.7 port 52144');
  });

  it('filters by priority (number or name), unit, time window and literal text', async () => {
    const errs = await page('?priority=err&limit=1000');
    expect(errs.entries).toHaveLength(15);
    expect(errs.entries.every((e) => (e.priority ?? 9) <= 3)).toBe(true);
    expect((await page('?priority=3&limit=1000')).entries).toHaveLength(15);
    expect((await page('?priority=warning&limit=1000')).entries).toHaveLength(23);

    const proxy = await page('?unit=pveproxy.service&limit=1000');
    expect(proxy.entries.map((e) => e.message)).toEqual(
      Array(5).fill("unable to open log file '/var/log/pveproxy/access.log' - Read-only file system"),
    );

    const window = await page(
      `?since=${encodeURIComponent('2026-11-26T10:03:00Z')}&until=${(T0 + 3 * 60_000 + 30_000) / 1000}&limit=1000`,
    );
    expect(window.entries.map((e) => e.time)).toEqual([
      '2026-11-26T10:03:30.000Z',
      '2026-11-26T10:03:15.000Z',
      '2026-11-26T10:03:00.000Z',
    ]);

    // Text is a literal, any case: pattern characters match themselves.
    const literal = await page(`?text=${encodeURIComponent('[X+Y]*')}`);
    expect(literal.entries.map((e) => e.identifier)).toEqual(['kernel']);
    expect((await page(`?text=${encodeURIComponent('read-only FILE')}&limit=1000`)).entries).toHaveLength(5);
    expect((await page(`?text=${encodeURIComponent('a.c')}`)).entries).toEqual([]);
  });

  it('decodes a message that is not valid UTF-8 with replacement characters', async () => {
    const body = await page(
      `?unit=ssh.service&since=${(T0 + 150_000) / 1000}&until=${(T0 + 150_000) / 1000}`,
    );
    expect(body.entries).toHaveLength(1);
    expect(body.entries[0]?.message).toContain('\uFFFD');
  });

  it('refuses bad filters with 400 before running journalctl', async () => {
    for (const q of [
      'priority=9',
      'priority=loud',
      'unit=' + encodeURIComponent('a b'),
      'unit=' + encodeURIComponent('--all'),
      'since=yesterday',
      'since=2026-13-45',
      'text=',
      'text=' + encodeURIComponent('a\nb'),
      'limit=0',
      'limit=1001',
      'cursor=' + encodeURIComponent('s=1;i=2 --all'),
      'grep=x',
      `since=${T0 / 1000}&until=${T0 / 1000 - 1}`,
    ]) {
      const r = await h.call('GET', `/api/logs?${q}`);
      expect([q, r.status, (r.body.error as { code?: string })?.code]).toEqual([q, 400, 'validation_error']);
    }
  });

  it('answers 400 for a well-formed cursor of another journal, and needs the read scope', async () => {
    const r = await h.call('GET', `/api/logs?cursor=${encodeURIComponent('s=00;i=1')}`);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: { code: 'validation_error', message: 'query.cursor: not a cursor of this journal' },
    });
    expect((await h.call('GET', '/api/logs', { scopes: null })).status).toBe(401);
    expect((await h.call('GET', '/api/logs', { scopes: ['terminal'] })).status).toBe(403);
  });
});

describe('GET /api/logs/counts', () => {
  it('counts entries per priority over the last 24 hours by default', async () => {
    const r = await h.call('GET', '/api/logs/counts');
    expect(r.status).toBe(200);
    expect(logsCountsResponse.parse(r.body)).toEqual({
      since: new Date(T0 + 3_600_000 - 86_400_000).toISOString(),
      until: null,
      total: TOTAL,
      by_priority: { emerg: 0, alert: 0, crit: 0, err: 15, warning: 8, notice: 15, info: 16, debug: 1 },
      errors: 15,
      warnings: 8,
      info: 31,
      debug: 1,
    });
  });

  it('narrows by unit, text and time', async () => {
    const r = await h.call('GET', `/api/logs/counts?unit=pvedaemon.service&since=${T0 / 1000}`);
    expect(logsCountsResponse.parse(r.body)).toMatchObject({ total: 4, errors: 3, info: 1 });
    const later = await h.call(
      'GET',
      `/api/logs/counts?since=${encodeURIComponent('2026-11-26T10:08:00Z')}&text=quickly`,
    );
    expect(logsCountsResponse.parse(later.body)).toMatchObject({ total: 1, warnings: 1 });
    expect((await h.call('GET', '/api/logs/counts?priority=3')).status).toBe(400);
  });
});

describe('GET /api/logs/download', () => {
  it('streams the journal as text, oldest first, as an attachment', async () => {
    const r = await h.call('GET', `/api/logs/download?unit=pvedaemon.service`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(r.headers.get('content-disposition')).toBe(
      'attachment; filename="journal-2026-11-26T11-00-00-000Z.log"',
    );
    expect(r.text.trimEnd().split('\n')).toEqual([
      '2026-11-26T10:03:00+0000 pve1 pvedaemon[1503]: authentication failure; rhost=::ffff:203.0.113.7 user=root@pam msg=Authentication failure',
      '2026-11-26T10:03:15+0000 pve1 pvedaemon[1503]: authentication failure; rhost=::ffff:203.0.113.7 user=root@pam msg=Authentication failure',
      '2026-11-26T10:03:30+0000 pve1 pvedaemon[1503]: authentication failure; rhost=::ffff:203.0.113.7 user=root@pam msg=Authentication failure',
      "2026-11-26T10:03:50+0000 pve1 pvedaemon[1504]: <root@pam> successful auth for user 'root@pam'",
    ]);
  });

  it('stops at the line limit and says so', async () => {
    const r = await s.call('GET', '/api/logs/download');
    const lines = r.text.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^2026-11-26T10:01:00\+0000 pve1 sshd\[\d+\]: Invalid user admin0/);
    expect(lines[5]).toBe('-- limit of 5 lines reached --');
  });

  it('answers an empty text for a filter nothing matches, 400 for bad filters', async () => {
    // journalctl's own marker for an empty result, and no failure note after it.
    const r = await h.call('GET', '/api/logs/download?text=nothing-like-this');
    expect([r.status, r.text]).toEqual([200, '-- No entries --\n']);
    expect((await h.call('GET', '/api/logs/download?priority=12')).status).toBe(400);
    expect((await h.call('GET', '/api/logs/download', { scopes: ['terminal'] })).status).toBe(403);
  });

  it('gives a JSON error when journalctl is missing or fails before any output', async () => {
    const tools = makeTools({
      'journalctl-fails': 'echo "Failed to open /x: No such file or directory" >&2; exit 1',
    });
    const exec = createExec();
    const pve = createPveAccess({ client: createPveshClient(exec), hostname: 'pve' });
    const broken = await startRouterHarness([
      createLogsRouter({ exec, pve, journalctl: '/nonexistent/journalctl' }),
    ]);
    const failing = await startRouterHarness([
      createLogsRouter({ exec, pve, journalctl: tools.path('journalctl-fails') }),
    ]);
    try {
      const missing = await broken.call('GET', '/api/logs/download');
      expect([missing.status, missing.body]).toEqual([
        503,
        { error: { code: 'unavailable', message: '/nonexistent/journalctl is not installed' } },
      ]);
      const fails = await failing.call('GET', '/api/logs/download');
      expect(fails.status).toBe(503);
      expect((fails.body.error as { message: string }).message).toMatch(/exited 1: Failed to open \/x/);
    } finally {
      await broken.stop();
      await failing.stop();
    }
  });
});

describe('GET /api/task-log/:upid (through pvesh)', () => {
  const VZDUMP = 'UPID:pve3:003E4A23:0E8AE02B:6AB9A6FF:vzdump::root@pam:';
  const calls = () => readFileSync(argsLog, 'utf8').split('\n').filter(Boolean);

  it('gives the whole task log as text from the node in the UPID', async () => {
    writeFileSync(argsLog, '');
    const r = await h.call('GET', `/api/task-log/${encodeURIComponent(VZDUMP)}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const lines = r.text.trimEnd().split('\n');
    expect(lines).toHaveLength(18);
    expect(lines[0]).toBe(
      'INFO: starting new backup job: vzdump 101 102 --mode snapshot --storage pbs --node pve3',
    );
    expect(lines.at(-1)).toBe('TASK ERROR: job errors');
    expect(calls()).toEqual([
      `get /nodes/pve3/tasks/${VZDUMP}/log --output-format json --start 0 --limit 50000`,
    ]);
  });

  it('pages with start and limit, and offers a download', async () => {
    const r = await h.call('GET', `/api/task-log/${encodeURIComponent(VZDUMP)}?start=15&limit=2&download=1`);
    expect(r.text).toBe('INFO: Failed at 2026-11-26 03:00:19\nINFO: Backup job finished with errors\n');
    expect(r.headers.get('content-disposition')).toBe(
      'attachment; filename="UPID_pve3_003E4A23_0E8AE02B_6AB9A6FF_vzdump__root_pam_.log"',
    );
  });

  it('passes a PVE failure on as a JSON error, and refuses what is not a UPID before calling pvesh', async () => {
    const missing = 'UPID:pve:0002F5A1:0163D0C2:67469F10:qmstart:211:root@pam:';
    const r = await h.call('GET', `/api/task-log/${encodeURIComponent(missing)}`);
    expect(r.status).toBe(502);
    expect((r.body.error as { message: string }).message).toMatch(/unable to open file/);
    writeFileSync(argsLog, '');
    for (const bad of [
      'nope',
      'UPID:pve:1:2:3:x:y:z',
      encodeURIComponent('UPID:../../etc:00000000:00000000:00000000:x::root@pam:'),
    ]) {
      const b = await h.call('GET', `/api/task-log/${bad}`);
      expect([bad, b.status]).toEqual([bad, 400]);
    }
    expect((await h.call('GET', `/api/task-log/${encodeURIComponent(VZDUMP)}?limit=0`)).status).toBe(400);
    expect(calls()).toEqual([]);
  });
});

describe('OpenAPI', () => {
  it('describes every logs route with its scope', async () => {
    const doc = (await h.call('GET', '/api/openapi.json')).body as {
      paths: Record<string, Record<string, { 'x-auth': string; parameters: Array<{ name: string }> }>>;
    };
    expect(Object.keys(doc.paths)).toEqual([
      '/api/logs',
      '/api/logs/counts',
      '/api/logs/download',
      '/api/task-log/{upid}',
    ]);
    expect(Object.values(doc.paths).map((p) => p.get?.['x-auth'])).toEqual(['read', 'read', 'read', 'read']);
    expect(doc.paths['/api/logs']?.get?.parameters.map((p) => p.name)).toEqual([
      'priority',
      'unit',
      'since',
      'until',
      'text',
      'limit',
      'cursor',
    ]);
  });
});
