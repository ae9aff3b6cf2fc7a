import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExec, execOutput, type Exec } from '../../sources/exec.js';
import { ok } from '../../sources/source.js';
import {
  DEFAULT_READER_OPTIONS,
  journalArgs,
  readJournal,
  readNewEntries,
  type JournalReaderOptions,
} from './reader.js';

/** tests/journal.ts, loaded at run time: it lies outside the exporter's rootDir, so no static import. */
interface ExportEntry {
  timeMs: number;
  message: string | Uint8Array;
  priority?: number;
  identifier?: string;
  unit?: string;
}
interface JournalHelper {
  buildJournal(dir: string, entries: readonly ExportEntry[], name?: string): string;
  readJournalFixture(name: string): ExportEntry[];
}
const { buildJournal, readJournalFixture } = (await import(
  new URL('../../../../tests/journal.ts', import.meta.url).href
)) as JournalHelper;

const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);
const MIN = 60_000;
const exec = createExec();

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'proxmon-journal-'));
  dirs.push(d);
  return d;
}
const opts = (o: Partial<JournalReaderOptions>): JournalReaderOptions => ({
  ...DEFAULT_READER_OPTIONS,
  ...o,
});
const numbered = (n: number, from: number, step = 1000): ExportEntry[] =>
  Array.from({ length: n }, (_, i) => ({
    timeMs: from + i * step,
    priority: 3,
    identifier: 'kernel',
    message: `line ${i}`,
  }));

describe('journalArgs', () => {
  it('reads after the cursor, or since the start time in whole seconds, oldest first and capped', () => {
    const o = opts({ files: ['/j/a.journal', '/j/b.journal'] });
    expect(journalArgs({ cursor: 's=1;i=2' }, 500, o)).toEqual([
      '-o',
      'export',
      '--no-pager',
      '-p',
      'warning',
      '--output-fields=MESSAGE,PRIORITY,_SYSTEMD_UNIT,SYSLOG_IDENTIFIER',
      '--file=/j/a.journal',
      '--file=/j/b.journal',
      '--after-cursor=s=1;i=2',
      '-n',
      '500',
    ]);
    expect(journalArgs({ sinceMs: T0 + 999 }, 10, opts({ directory: '/j' })).slice(6)).toEqual([
      '--directory=/j',
      `--since=@${T0 / 1000}`,
      '-n',
      '10',
    ]);
  });
});

describe('journalArgs for a narrow read', () => {
  it('adds the pattern and, last, the matches', () => {
    const o = opts({ priority: 'notice..info', matches: ['_TRANSPORT=kernel'], grep: '^oom-kill:' });
    expect(journalArgs({ sinceMs: T0 }, 1000, o)).toEqual([
      '-o',
      'export',
      '--no-pager',
      '-p',
      'notice..info',
      '--output-fields=MESSAGE,PRIORITY,_SYSTEMD_UNIT,SYSLOG_IDENTIFIER',
      '--grep=^oom-kill:',
      `--since=@${T0 / 1000}`,
      '-n',
      '1000',
      '_TRANSPORT=kernel',
    ]);
  });
});

describe('readJournal with the real journalctl', () => {
  it('keeps warning and worse, and reads everything at a lower priority', async () => {
    const file = buildJournal(scratch(), readJournalFixture('auth-failures.export'));
    const warn = await readJournal(exec, { sinceMs: T0 }, opts({ files: [file] }));
    expect(warn.ok && warn.value.entries.map((e) => [e.identifier, e.priority])).toEqual([
      ['pvedaemon', 3],
      ['pvedaemon', 3],
      ['pvedaemon', 3],
    ]);
    const all = await readJournal(exec, { sinceMs: T0 }, opts({ files: [file], priority: 'info' }));
    expect(all.ok && [all.value.entries.length, all.value.full]).toEqual([17, false]);
  });

  it('reads a directory of journal files, and an empty one as nothing', async () => {
    const dir = scratch();
    buildJournal(dir, numbered(3, T0), 'a.journal');
    buildJournal(dir, numbered(2, T0 + 500), 'b.journal');
    const both = await readJournal(exec, { sinceMs: T0 }, opts({ directory: dir }));
    expect(both.ok && both.value.entries.map((e) => [e.timeMs - T0, e.message])).toEqual([
      [0, 'line 0'],
      [500, 'line 0'],
      [1000, 'line 1'],
      [1500, 'line 1'],
      [2000, 'line 2'],
    ]);
    const empty = join(scratch(), 'none');
    mkdirSync(empty);
    expect(await readJournal(exec, { sinceMs: T0 }, opts({ directory: empty }))).toEqual(
      ok({ entries: [], malformed: 0, full: false }),
    );
  });

  it('treats "No journal files were found" as no entries, other failures as errors', async () => {
    const answer =
      (exitCode: number, stderr: string): Exec =>
      async () =>
        ok({ stdout: '', stderr, exitCode, durationMs: 1 });
    expect(await readJournal(answer(1, 'No journal files were found.\n'), { sinceMs: T0 }, opts({}))).toEqual(
      ok({ entries: [], malformed: 0, full: false }),
    );
    const broken = await readJournal(
      answer(1, 'Failed to open files: No such file or directory\n'),
      { sinceMs: T0 },
      opts({}),
    );
    expect(broken).toEqual({
      ok: false,
      error: {
        kind: 'exit',
        message: 'journalctl exited 1: Failed to open files: No such file or directory',
      },
    });
  });

  it('reads broken output up to the break, and none at all as a parse error, never throwing', async () => {
    const answer =
      (stdout: Buffer): Exec =>
      async () =>
        ok(execOutput(stdout, '', 0, 1));
    // A binary MESSAGE whose length runs past the end.
    const broken = Buffer.from('MESSAGE\n\xff\xff\0\0\0\0\0\0xyz\n\n', 'latin1');
    const good = Buffer.from('__CURSOR=c1\n__REALTIME_TIMESTAMP=1000\nMESSAGE=ok\n\n__CURSOR=c2\n');
    const partial = await readJournal(answer(Buffer.concat([good, broken])), { sinceMs: T0 }, opts({}));
    expect(
      partial.ok && [partial.value.entries.map((e) => e.cursor), partial.value.malformed, partial.value.full],
    ).toEqual([['c1'], 1, true]);
    const none = await readJournal(answer(broken), { sinceMs: T0 }, opts({}));
    expect(none).toEqual({
      ok: false,
      error: {
        kind: 'parse',
        message: 'journal export: a binary field of 65535 bytes runs past the end at byte 8',
      },
    });
  });

  it('reports a missing journalctl as absent', async () => {
    const missing = createExec({ journalctl: '/nonexistent/journalctl' });
    const r = await readJournal(missing, { sinceMs: T0 }, opts({}));
    expect(!r.ok && r.error.kind).toBe('absent');
  });

  it('retries with fewer lines when the output is over the byte cap', async () => {
    const file = buildJournal(scratch(), numbered(40, T0));
    const r = await readJournal(exec, { sinceMs: T0 }, opts({ files: [file], maxLines: 32, maxBytes: 4000 }));
    // 32 lines of ~450 bytes do not fit; 2 do, and the read says more are waiting.
    expect(r.ok && [r.value.entries.map((e) => e.message), r.value.full]).toEqual([
      ['line 0', 'line 1'],
      true,
    ]);
  });
});

describe('readNewEntries', () => {
  it('continues after the cursor, in chunks when more lines wait than one read takes', async () => {
    const file = buildJournal(scratch(), numbered(12, T0));
    const o = opts({ files: [file], maxLines: 5 });
    const now = T0 + 5 * MIN;
    const seen: string[] = [];
    let cursor: string | undefined;
    const truncated: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await readNewEntries(exec, cursor, now, o);
      if (!r.ok) throw new Error(r.error.message);
      seen.push(...r.value.entries.map((e) => e.message ?? ''));
      truncated.push(r.value.truncated);
      cursor = r.value.cursor;
    }
    expect(seen).toEqual(numbered(12, T0).map((e) => e.message));
    expect(truncated).toEqual([true, true, false, false]);
  });

  it('jumps to the lookback when the backlog is older than the windows can use', async () => {
    const file = buildJournal(scratch(), [...numbered(20, T0), ...numbered(3, T0 + 30 * MIN)]);
    const o = opts({ files: [file], maxLines: 5 });
    const first = await readNewEntries(exec, undefined, T0 + 5 * MIN, o);
    if (!first.ok) throw new Error(first.error.message);
    const r = await readNewEntries(exec, first.value.cursor, T0 + 35 * MIN, o);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.entries.map((e) => [(e.timeMs - T0) / 1000, e.message])).toEqual([
      [5, 'line 5'],
      [6, 'line 6'],
      [7, 'line 7'],
      [8, 'line 8'],
      [9, 'line 9'],
      [1800, 'line 0'],
      [1801, 'line 1'],
      [1802, 'line 2'],
    ]);
    expect([r.value.skippedAhead, r.value.truncated]).toEqual([true, false]);
    expect(r.value.cursor).toBe(r.value.entries.at(-1)!.cursor);
  });

  it('starts again from the lookback when journalctl refuses the stored cursor', async () => {
    const file = buildJournal(scratch(), numbered(3, T0));
    const r = await readNewEntries(exec, 'not-a-cursor', T0 + MIN, opts({ files: [file] }));
    expect(r.ok && [r.value.cursorReset, r.value.entries.length]).toEqual([true, 3]);
  });

  it('keeps the stored cursor when nothing new came', async () => {
    const file = buildJournal(scratch(), numbered(2, T0));
    const first = await readNewEntries(exec, undefined, T0 + MIN, opts({ files: [file] }));
    const cursor = first.ok ? first.value.cursor : undefined;
    expect(cursor).toMatch(/^s=/);
    const again = await readNewEntries(exec, cursor, T0 + 2 * MIN, opts({ files: [file] }));
    expect(again.ok && [again.value.entries.length, again.value.cursor]).toEqual([0, cursor]);
  });
});
