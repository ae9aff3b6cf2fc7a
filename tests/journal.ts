import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real journal files for tests: entries are written in the journal export format and fed to
 * systemd-journal-remote (Debian package `systemd-journal-remote`), which writes a `.journal` file that
 * the real `journalctl --file`/`--directory` reads (environment-probe.md 3d). Writing to the same file
 * again appends, so a test can grow a journal between reads the way a live host does.
 */
export const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';

export function journalRemoteInstalled(): boolean {
  try {
    accessSync(JOURNAL_REMOTE, constants.X_OK);
    return spawnSync('journalctl', ['--version']).status === 0;
  } catch {
    return false;
  }
}

/** One entry to write. journal-remote requires __REALTIME_TIMESTAMP; the rest is optional. */
export interface ExportEntry {
  timeMs: number;
  /** A string, or raw bytes (e.g. invalid UTF-8, which journalctl then prints as an array of bytes). */
  message: string | Uint8Array;
  priority?: number;
  identifier?: string;
  unit?: string;
  pid?: number;
  hostname?: string;
  /** 32 hex digits. */
  bootId?: string;
  /** Any other fields, written as they are. */
  fields?: Record<string, string>;
}

export const TEST_BOOT_ID = '5f2c9e0a3b7d4c1e8a6f0b2d4e6a8c0e';

/**
 * The export format: `KEY=value` lines, a blank line after each entry. A value with a newline (or
 * bytes that are not text) uses the binary form `KEY\n<uint64 LE length><bytes>\n`.
 */
export function toExportFormat(entries: readonly ExportEntry[]): Buffer {
  const parts: Buffer[] = [];
  const field = (key: string, value: string | Uint8Array) => {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
    if (bytes.includes(0x0a) || typeof value !== 'string') {
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(bytes.length));
      parts.push(Buffer.from(`${key}\n`), len, bytes, Buffer.from('\n'));
    } else {
      parts.push(Buffer.from(`${key}=`), bytes, Buffer.from('\n'));
    }
  };
  for (const e of entries) {
    field('__REALTIME_TIMESTAMP', String(Math.round(e.timeMs * 1000)));
    field('_BOOT_ID', e.bootId ?? TEST_BOOT_ID);
    field('_HOSTNAME', e.hostname ?? 'pve1');
    field('_TRANSPORT', e.identifier === 'kernel' ? 'kernel' : 'syslog');
    if (e.priority !== undefined) field('PRIORITY', String(e.priority));
    if (e.identifier !== undefined) field('SYSLOG_IDENTIFIER', e.identifier);
    if (e.unit !== undefined) field('_SYSTEMD_UNIT', e.unit);
    if (e.pid !== undefined) field('_PID', String(e.pid));
    for (const [k, v] of Object.entries(e.fields ?? {})) field(k, v);
    field('MESSAGE', e.message);
    parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** Reads the export format back (both value forms), for fixtures a test wants to shift or split. */
export function parseExportFormat(data: Buffer): ExportEntry[] {
  const entries: ExportEntry[] = [];
  let fields: Record<string, string | Buffer> = {};
  const flush = () => {
    if (Object.keys(fields).length === 0) return;
    const text = (k: string) => {
      const v = fields[k];
      return v === undefined ? undefined : v.toString();
    };
    const time = text('__REALTIME_TIMESTAMP');
    if (time === undefined) throw new Error('export entry without __REALTIME_TIMESTAMP');
    const message = fields['MESSAGE'];
    const entry: ExportEntry = {
      timeMs: Number(time) / 1000,
      message: typeof message === 'string' ? message : new Uint8Array(message ?? Buffer.alloc(0)),
    };
    const priority = text('PRIORITY');
    const pid = text('_PID');
    if (priority !== undefined) entry.priority = Number(priority);
    if (pid !== undefined) entry.pid = Number(pid);
    const optional = {
      SYSLOG_IDENTIFIER: 'identifier',
      _SYSTEMD_UNIT: 'unit',
      _HOSTNAME: 'hostname',
      _BOOT_ID: 'bootId',
    } as const;
    for (const [k, name] of Object.entries(optional)) {
      const v = text(k);
      if (v !== undefined) entry[name] = v;
    }
    const known = new Set([
      '__REALTIME_TIMESTAMP',
      'MESSAGE',
      'PRIORITY',
      '_PID',
      '_TRANSPORT',
      ...Object.keys(optional),
    ]);
    for (const [k, v] of Object.entries(fields)) if (!known.has(k)) (entry.fields ??= {})[k] = v.toString();
    entries.push(entry);
    fields = {};
  };
  let pos = 0;
  while (pos < data.length) {
    let nl = data.indexOf(0x0a, pos);
    if (nl === -1) nl = data.length;
    const line = data.subarray(pos, nl);
    if (line.length === 0) {
      flush();
      pos = nl + 1;
      continue;
    }
    const eq = line.indexOf(0x3d);
    if (eq !== -1) {
      const value = line.subarray(eq + 1);
      // Valid UTF-8 stays a string; anything else keeps its bytes.
      const asText = value.toString('utf8');
      fields[line.subarray(0, eq).toString()] = Buffer.from(asText, 'utf8').equals(value)
        ? asText
        : Buffer.from(value);
      pos = nl + 1;
    } else {
      const key = line.toString();
      const len = Number(data.readBigUInt64LE(nl + 1));
      const start = nl + 9;
      fields[key] = Buffer.from(data.subarray(start, start + len));
      pos = start + len + 1;
    }
  }
  flush();
  return entries;
}

/** A fixture from tests/fixtures/journal, parsed. */
export function readJournalFixture(name: string): ExportEntry[] {
  return parseExportFormat(readFileSync(new URL(`./fixtures/journal/${name}`, import.meta.url)));
}

/**
 * Writes `entries` into `<dir>/<name>` with systemd-journal-remote (appending when the file exists) and
 * returns the journal file's path. `name` must end in `.journal`.
 */
export function buildJournal(dir: string, entries: readonly ExportEntry[], name = 'system.journal'): string {
  if (!name.endsWith('.journal')) throw new Error(`journal file name must end in .journal: ${name}`);
  const output = join(dir, name);
  const scratch = mkdtempSync(join(tmpdir(), 'proxmon-export-'));
  try {
    const input = join(scratch, 'entries.export');
    writeFileSync(input, toExportFormat(entries));
    const run = spawnSync(JOURNAL_REMOTE, [`--output=${output}`, '--compress=no', input], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    if (run.error)
      throw new Error(`${JOURNAL_REMOTE}: ${run.error.message} (apt-get install systemd-journal-remote)`);
    const written = /Finishing after writing (\d+) entries/.exec(run.stderr);
    if (run.status !== 0 || Number(written?.[1]) !== entries.length)
      throw new Error(`${JOURNAL_REMOTE} exited ${run.status}: ${run.stderr.trim()}`);
    return output;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
