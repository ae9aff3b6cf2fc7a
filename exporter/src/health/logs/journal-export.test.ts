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

describe('parseJournalExport: the entries -o json gives, from the decoded -o export text', () => {
  /** journalctl's export of fields given as [name, bytes, binary form?], as bytes, decoded as Exec does. */
  function exportText(entries: Array<Array<[string, Buffer, boolean]>>): string {
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
    return Buffer.concat(parts).toString('utf8');
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

  it('gives every entry as JSON would, or stops at one it cannot read back exactly, never a wrong one', () => {
    fc.assert(
      fc.property(entries, (list) => {
        const parsed = parseJournalExport(exportText(list));
        const want = list.map(expected);
        if (parsed.stopped === undefined) {
          expect(parsed.entries).toEqual(want);
        } else {
          expect(parsed.entries).toEqual(want.slice(0, parsed.stopped.blocks));
          expect(list[parsed.stopped.blocks]!.some(([, , binary]) => binary)).toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('reads binary values back whenever their length and bytes survive the decoding', () => {
    // Below 128 bytes the length is exact; valid UTF-8 without U+FFFD is counted exactly.
    const exact = fc
      .tuple(
        fc.constantFrom('MESSAGE', '_HOSTNAME'),
        fc.string({ maxLength: 40 }),
        fc.constantFrom('\n', '\t\u0001', '\u007f', ''),
      )
      .map(([name, s, ctl]): [string, Buffer, boolean] => [
        name,
        Buffer.from(`${s}${ctl}${s}`.replace(/\ufffd/g, '')),
        true,
      ])
      .filter(([, b]) => b.length < 128);
    fc.assert(
      fc.property(fc.array(fc.array(exact, { maxLength: 3 }), { minLength: 1, maxLength: 5 }), (list) => {
        // Two binary values in one entry cannot be checked past the first: keep one per entry.
        const one = list.map((fields) => fields.slice(0, 1));
        const parsed = parseJournalExport(exportText(one));
        expect(parsed.stopped).toBeUndefined();
        expect(parsed.entries).toEqual(one.map(expected));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const parsed = parseJournalExport(text);
        for (const e of parsed.entries) expect(typeof e.cursor).toBe('string');
      }),
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
    // The kernel's multi-line libata report, 60 to 600 bytes long: lengths whose low byte UTF-8
    // decoding turns into U+FFFD included; a tab, an escape sequence and non-ASCII text too.
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
    const r = await exec('journalctl', journalArgs({ sinceMs: T0 }, 1000, o, 'export'), {
      timeoutMs: 30_000,
    });
    if (!r.ok) throw new Error(r.error.message);
    const exported = parseJournalExport(r.value.stdout);
    expect(exported.stopped).toBeUndefined();
    expect(exported.entries.map((e) => e.message)).toEqual(lines.map((l) => l.message));
  });

  it('reads the same entries both ways, through the JSON fallback where export stops', async () => {
    const sample = fc.sample(fc.array(entry, { minLength: 40, maxLength: 40 }), { numRuns: 4, seed: 6 });
    for (const [n, list] of sample.entries()) {
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
        const r = await exec('journalctl', journalArgs({ sinceMs: T0 }, 1000, o, format), {
          timeoutMs: 30_000,
        });
        if (!r.ok || r.value.exitCode !== 0) throw new Error(`journalctl failed: ${JSON.stringify(r)}`);
        return r.value.stdout;
      };
      const json = parseJournalJson(await run('json'));
      expect(json.entries).toHaveLength(repeat ? 80 : 40);
      const exported = parseJournalExport(await run('export'));
      expect(exported.entries).toEqual(json.entries.slice(0, exported.entries.length));
      const read = await readJournal(exec, { sinceMs: T0 }, o);
      expect(read).toEqual({ ok: true, value: { entries: json.entries, malformed: 0, full: false } });
    }
  }, 120_000);
});
