import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createExec } from '../../sources/exec.js';
import { parseJournalExport } from './journal-export.js';
import { parseJournalJson, type JournalEntry } from './journal.js';
import { DEFAULT_READER_OPTIONS, journalArgs, readJournal } from './reader.js';

/** tests/journal.ts, loaded at run time: it lies outside the exporter's rootDir, so no static import. */
interface ExportEntry {
  timeMs: number;
  message: string | Uint8Array;
  priority?: number;
  identifier?: string;
  unit?: string;
  pid?: number;
  fields?: Record<string, string>;
}
interface JournalHelper {
  buildJournal(dir: string, entries: readonly ExportEntry[], name?: string): string;
}
const { buildJournal } = (await import(
  new URL('../../../../tests/journal.ts', import.meta.url).href
)) as JournalHelper;

const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);
const exec = createExec();

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * Message bytes of every kind journalctl has to print: text, newlines, control characters, and (less
 * often) what UTF-8 decoding cannot give back exactly: invalid bytes, a literal U+FFFD.
 */
const piece = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 20 }).map((s) => Buffer.from(s)) },
  {
    weight: 6,
    arbitrary: fc
      .constantFrom(
        '\n',
        '\t',
        '\u0001',
        '\u001b[31m',
        '\u007f',
        '\u0085',
        'é',
        '😀',
        '\ufffe',
        'FOO=bar',
        '\n\n',
        '\nPRIORITY=3',
      )
      .map((s) => Buffer.from(s)),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constantFrom(
        Buffer.from('\ufffd'),
        Buffer.from([0xff]),
        Buffer.from([0xc3]),
        Buffer.from([0xe2, 0x82]),
      ),
      fc.uint8Array({ maxLength: 4 }).map((b) => Buffer.from(b)),
    ),
  },
);
const filler = (n: number) => Buffer.from('x'.repeat(n));
/** Lengths near the places the parsing cares about: 128 and 256 bytes, and the 4096-byte JSON limit. */
const messageBytes = fc
  .tuple(fc.array(piece, { maxLength: 4 }), fc.constantFrom(0, 0, 0, 120, 250, 4080, 4090))
  .map(([parts, pad]) => Buffer.concat([filler(pad), ...parts]));

describe('parseJournalExport: the entries -o json gives, from the -o export bytes', () => {
  /** journalctl's export of fields given as [name, bytes, binary form?]. */
  function exportBytes(entries: Array<Array<[string, Buffer, boolean]>>): Buffer {
    const parts: Buffer[] = [];
    entries.forEach((fields, i) => {
      parts.push(
        Buffer.from(
          `__CURSOR=s=1;i=${i}\n__REALTIME_TIMESTAMP=${(T0 + i) * 1000}\n__MONOTONIC_TIMESTAMP=0\n_BOOT_ID=b\n`,
        ),
      );
      for (const [name, bytes, binary] of fields) {
        if (!binary) parts.push(Buffer.from(`${name}=`), bytes, Buffer.from('\n'));
        else {
          const length = Buffer.alloc(8);
          length.writeBigUInt64LE(BigInt(bytes.length));
          parts.push(Buffer.from(`${name}\n`), length, bytes, Buffer.from('\n'));
        }
      }
      parts.push(Buffer.from('\n'));
    });
    return Buffer.concat(parts);
  }

  /** What parseJournalJson makes of the same entry: the first value, decoded; null at 4096 bytes. */
  function expected(fields: Array<[string, Buffer, boolean]>, i: number): JournalEntry {
    const first = (name: string) => {
      const f = fields.find(([n]) => n === name);
      if (!f || name.length + 1 + f[1].length >= 4096) return undefined;
      return f[1].toString('utf8');
    };
    const priority = first('PRIORITY');
    return {
      cursor: `s=1;i=${i}`,
      timeMs: T0 + i,
      message: first('MESSAGE'),
      priority:
        priority !== undefined && /^\d{1,10}$/.test(priority) && Number(priority) <= 7
          ? Number(priority)
          : undefined,
      unit: first('_SYSTEMD_UNIT'),
      identifier: first('SYSLOG_IDENTIFIER'),
      pid: undefined,
      hostname: first('_HOSTNAME'),
      bootId: 'b',
    };
  }

  const printable = (b: Buffer) =>
    !b.includes(0x0a) &&
    Buffer.from(b.toString('utf8')).equals(b) &&
    // Control characters are what makes journalctl use the binary form.
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(b.toString());
  // Fields in any order, MESSAGE repeated or not; text form where journalctl would use it, binary
  // otherwise. Other fields are short text, mostly, as on a real host.
  const textField = fc
    .tuple(
      fc.constantFrom('PRIORITY', 'SYSLOG_IDENTIFIER', '_SYSTEMD_UNIT', '_HOSTNAME', 'OTHER'),
      fc.nat(99),
    )
    .map(([name, n]): [string, Buffer, boolean] => [
      name,
      Buffer.from(name === 'PRIORITY' ? String(n % 9) : `v${n}`),
      false,
    ]);
  const anyField = fc
    .tuple(fc.constantFrom('MESSAGE', '_HOSTNAME', 'OTHER'), messageBytes)
    .map(([name, bytes]): [string, Buffer, boolean] => [name, bytes, !printable(bytes)]);
  const field = fc.oneof({ weight: 3, arbitrary: textField }, { weight: 1, arbitrary: anyField });
  const entries = fc.array(fc.array(field, { maxLength: 5 }), { minLength: 1, maxLength: 6 });

  it('gives every entry exactly as JSON would, binary values of any bytes and length included', () => {
    fc.assert(
      fc.property(entries, (list) => {
        expect(parseJournalExport(exportBytes(list))).toEqual({ entries: list.map(expected), malformed: 0 });
      }),
      { numRuns: 1500 },
    );
  });

  it('reads several binary values in one entry, each by its length, newlines and invalid UTF-8 inside', () => {
    const binary = fc
      .tuple(fc.constantFrom('MESSAGE', '_HOSTNAME', 'SYSLOG_IDENTIFIER', 'OTHER'), messageBytes)
      .map(([name, bytes]): [string, Buffer, boolean] => [name, bytes, true]);
    fc.assert(
      fc.property(fc.array(fc.array(binary, { maxLength: 4 }), { minLength: 1, maxLength: 5 }), (list) => {
        expect(parseJournalExport(exportBytes(list))).toEqual({ entries: list.map(expected), malformed: 0 });
      }),
      { numRuns: 500 },
    );
  });

  it('reads a cut-off output up to the cut, and stops with an error at a broken binary field', () => {
    fc.assert(
      fc.property(entries, fc.double({ min: 0, max: 1, noNaN: true }), (list, at) => {
        const bytes = exportBytes(list);
        const cut = bytes.subarray(0, Math.floor(bytes.length * at));
        const parsed = parseJournalExport(cut);
        const want = list.map(expected);
        // Every entry before the cut is whole; the cut one has its cursor, the rest of it may be cut.
        parsed.entries.forEach((e, i) => {
          if (i < parsed.entries.length - 1) expect(e).toEqual(want[i]);
          else expect(e.cursor).toBe(want[i]!.cursor);
        });
        if (parsed.error !== undefined) expect(parsed.error).toMatch(/^journal export: a binary field/);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a binary length past the end, or data not ending in a newline, without reading on', () => {
    const head = Buffer.from('__CURSOR=c1\n__REALTIME_TIMESTAMP=1000\nMESSAGE=ok\n\n__CURSOR=c2\nMESSAGE\n');
    const length = (n: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(n);
      return b;
    };
    const first = [{ cursor: 'c1', timeMs: 1, message: 'ok' }];
    for (const [tail, error] of [
      [length(2n ** 64n - 1n), /of 18446744073709551615 bytes runs past the end/],
      [Buffer.concat([length(3n), Buffer.from('ab\n')]), /runs past the end/],
      [Buffer.concat([length(2n), Buffer.from('abX\n\n')]), /not followed by a newline/],
      [Buffer.from([1, 0, 0]), /without its length/],
    ] as const) {
      const parsed = parseJournalExport(Buffer.concat([head, tail]));
      expect(parsed.entries).toMatchObject(first);
      expect(parsed.malformed).toBe(0);
      expect(parsed.error).toMatch(error);
    }
  });

  it('counts blocks without a cursor or a timestamp as malformed, and skips extra blank lines', () => {
    const text =
      '\n\n__CURSOR=a\nMESSAGE=x\n\n__REALTIME_TIMESTAMP=5000\n\n__CURSOR=b\n__REALTIME_TIMESTAMP=x1\n\n';
    expect(
      parseJournalExport(Buffer.from(`${text}__CURSOR=c\n__REALTIME_TIMESTAMP=7000\nPRIORITY=3`)),
    ).toEqual({
      entries: [
        {
          cursor: 'c',
          timeMs: 7,
          message: undefined,
          priority: 3,
          unit: undefined,
          identifier: undefined,
          pid: undefined,
          hostname: undefined,
          bootId: undefined,
        },
      ],
      malformed: 3,
    });
  });

  it('never throws on any bytes', () => {
    const noise = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      // Mostly field lines, so that the parser gets past the first one.
      fc
        .array(
          fc.oneof(
            fc.constantFrom('__CURSOR=s\n', '__REALTIME_TIMESTAMP=1\n', 'MESSAGE\n', '\n', 'PRIORITY=9\n'),
            fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('latin1')),
          ),
          { maxLength: 30 },
        )
        .map((parts) => Buffer.from(parts.join(''), 'latin1')),
    );
    fc.assert(
      fc.property(noise, (bytes) => {
        const parsed = parseJournalExport(Buffer.from(bytes));
        for (const e of parsed.entries) expect(typeof e.cursor).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('export against JSON with the real journalctl', () => {
  const entry = fc.record({
    message: messageBytes.map((b) => new Uint8Array(b)),
    priority: fc.integer({ min: 0, max: 7 }),
    identifier: fc.constantFrom('kernel', 'pvedaemon', 'sshd'),
    unit: fc.constantFrom('pvedaemon.service', 'ssh.service'),
    pid: fc.integer({ min: 1, max: 99_999 }),
    // Now and then MESSAGE twice: the first value counts.
    twice: fc.option(fc.string({ maxLength: 20 }), { nil: undefined, freq: 6 }),
  });

  it('reads multi-line and control-character messages of any length from the export alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxmon-export-'));
    dirs.push(dir);
    // The kernel's multi-line libata report, 60 to 600 bytes long (binary lengths past one byte), a
    // tab, an escape sequence and non-ASCII text too.
    const lines = Array.from({ length: 60 }, (_, i) => ({
      timeMs: T0 + i * 10,
      message:
        `ata3.00: cmd 60/08:b8:${i}:3c:c2/00:00:0b:00:00/40 tag ${i} ncq dma 4096 in\n` +
        `         res 41/40:00:a8:3c:c2/00:00:0b:00:00/40 Emask 0x409 (media error) <F>${'é'.repeat(i * 4)}` +
        ['', '\t', '\u001b[0m', '\n'][i % 4],
      priority: 3,
      identifier: 'kernel',
    }));
    buildJournal(dir, lines);
    const o = { ...DEFAULT_READER_OPTIONS, directory: dir };
    const r = await exec('journalctl', journalArgs({ sinceMs: T0 }, 1000, o), { timeoutMs: 30_000 });
    if (!r.ok) throw new Error(r.error.message);
    const exported = parseJournalExport(r.value.stdoutBytes!);
    expect(exported.error).toBeUndefined();
    expect(exported.entries.map((e) => e.message)).toEqual(lines.map((l) => l.message));
  });

  it('reads the same entries from the export as -o json gives, invalid UTF-8 and repeated fields included', async () => {
    const sample = fc.sample(fc.array(entry, { minLength: 40, maxLength: 40 }), { numRuns: 4, seed: 6 });
    // One message that surely is binary: a newline and invalid UTF-8.
    const binary = {
      message: new Uint8Array([0x6f, 0x6f, 0x6d, 0x0a, 0xff, 0xc3]),
      priority: 3,
      identifier: 'kernel',
      unit: 'ssh.service',
      pid: 1,
      twice: undefined,
    };
    for (const [n, drawn] of sample.entries()) {
      const list = [binary, ...drawn];
      const repeat = n % 2 === 1;
      const dir = mkdtempSync(join(tmpdir(), 'proxmon-export-'));
      dirs.push(dir);
      buildJournal(
        dir,
        // A message seen before comes early in an entry (journal files order fields by first write),
        // so repeating the entries puts other fields after a binary one.
        list.concat(repeat ? list : []).map((e, i) => ({
          timeMs: T0 + i * 10,
          message: e.message,
          priority: e.priority,
          identifier: e.identifier,
          unit: e.unit,
          pid: e.pid + i,
          ...(e.twice !== undefined && { fields: { MESSAGE: e.twice } }),
        })),
      );
      const o = { ...DEFAULT_READER_OPTIONS, directory: dir, priority: 'debug' };
      const run = async (format: 'export' | 'json') => {
        const args = journalArgs({ sinceMs: T0 }, 1000, o);
        const r = await exec(
          'journalctl',
          args.map((a) => (a === 'export' ? format : a)),
          {
            timeoutMs: 30_000,
          },
        );
        if (!r.ok || r.value.exitCode !== 0)
          throw new Error(`journalctl failed: ${r.ok ? r.value.stderr : ''}`);
        return r.value;
      };
      const json = parseJournalJson((await run('json')).stdout);
      expect(json.entries).toHaveLength(repeat ? 82 : 41);
      // Some of the messages really are binary, with newlines and invalid UTF-8.
      expect(json.entries.some((e) => e.message?.includes('\ufffd'))).toBe(true);
      expect(json.entries.some((e) => e.message?.includes('\n'))).toBe(true);
      const exported = parseJournalExport((await run('export')).stdoutBytes!);
      expect(exported).toEqual({ entries: json.entries, malformed: 0 });
      const read = await readJournal(exec, { sinceMs: T0 }, o);
      expect(read).toEqual({ ok: true, value: { entries: json.entries, malformed: 0, full: false } });
    }
  }, 120_000);
});
