import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { healthInputs, pveFixture } from '../checks/fixtures/host-inputs.js';
import { checkVms } from '../checks/vms.js';
import { createExec } from '../../sources/exec.js';
import { openStore, type Db } from '../../store/db.js';
import { createLogAnalyzer, type LogAnalyzerOptions, type LogStep } from './index.js';
import { CURSOR_KEY } from './state-store.js';

/** tests/journal.ts, loaded at run time: it lies outside the exporter's rootDir, so no static import. */
interface ExportEntry {
  timeMs: number;
  message: string | Uint8Array;
  priority?: number;
  identifier?: string;
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

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'proxmon-logs-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}
function store(dir: string): Db {
  const db = openStore(dir);
  cleanups.push(() => db.open && db.close());
  return db;
}

/** A journal file holding `fixture` and an analyzer reading it, on a fresh SQLite store. */
function setup(fixture: string, options: Partial<LogAnalyzerOptions> = {}) {
  const dir = scratch();
  const file = buildJournal(dir, readJournalFixture(fixture));
  const db = store(dir);
  return { dir, file, db, analyzer: createLogAnalyzer({ db, exec, options: { files: [file], ...options } }) };
}

async function step(analyzer: ReturnType<typeof createLogAnalyzer>, at: number): Promise<LogStep> {
  const r = await analyzer.step(at);
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return r.value;
}
const keys = (s: LogStep) => s.findings.map((f) => `${f.severity} ${f.errorKey}`);

interface PatternRow {
  hash: string;
  count: number;
  first_seen: number;
  last_seen: number;
}
const patternRows = (db: Db) =>
  db
    .prepare(`SELECT hash, count, first_seen, last_seen FROM log_patterns ORDER BY hash`)
    .all() as PatternRow[];
const storedCursor = (db: Db) =>
  (db.prepare(`SELECT value FROM kv WHERE key = ?`).get(CURSOR_KEY) as { value: string } | undefined)?.value;

describe('log analysis over real journal files', () => {
  it('OOM kills: one CRITICAL finding per pattern, counted across both guests', async () => {
    const { analyzer } = setup('oom-kill.export');
    const s = await step(analyzer, T0 + 10 * MIN);
    expect(keys(s)).toEqual([
      'CRITICAL log_critical_022e1c4c',
      'CRITICAL log_critical_7ae7e51c',
      'CRITICAL log_critical_7beafa1d',
    ]);
    expect(s.findings[1]).toMatchObject({
      category: 'logs',
      check: 'log_critical_errors',
      reason: expect.stringMatching(
        /^2 times in the last 5 min: kernel: Out of memory: Killed process 51877 \(kvm\)/,
      ),
      details: { pattern: expect.stringContaining('Killed process <n> (kvm)'), count: 2, rule: 'oom_kill' },
    });
    // Info-level lines (oom-kill constraint, oom_reaper) are not read at all with -p warning.
    expect(s.stats).toMatchObject({ read: 8, classified: 6, unclassified: 2, benign: 0, malformed: 0 });
  });

  it('failed services: the read-only cause is CRITICAL; the restart loop is a spike, not a cascade', async () => {
    const { analyzer } = setup('failed-services.export');
    const s = await step(analyzer, T0 + 10 * MIN);
    expect(keys(s)).toEqual(['CRITICAL log_critical_07c6ddc4', 'WARNING log_error_spike']);
    expect(s.findings[1]!.reason).toMatch(
      /^3 errors jumped to 15 in the last 5 min \(0 in the 5 min before\): /,
    );
    expect(s.stats).toMatchObject({ read: 19, classified: 18, patterns: 6 });
  });

  it('authentication failures are no log finding (the security category counts them)', async () => {
    const { analyzer } = setup('auth-failures.export');
    const s = await step(analyzer, T0 + 5 * MIN);
    expect(s.findings).toEqual([]);
    // sshd logs at info/notice, so only the three pvedaemon failures (err) reach a warning-level read.
    expect(s.stats).toMatchObject({ read: 3, unclassified: 3, classified: 0 });
  });

  it('a cascade: 20 lost tokens, then quorum lost', async () => {
    const { analyzer } = setup('cascade.export');
    const s = await step(analyzer, T0 + 10 * MIN);
    expect(keys(s)).toEqual([
      'CRITICAL log_critical_1461437a',
      'CRITICAL log_critical_4fe5dc8e',
      'WARNING log_cascade_898ed0cf',
      'WARNING log_error_spike',
    ]);
    expect(s.findings[2]).toMatchObject({
      check: 'log_error_cascade',
      reason:
        'The same error 20 times in the last 5 min: corosync: [TOTEM ] Token has not been received in 3581 ms',
    });
    expect(s.stats).toMatchObject({ read: 29, benign: 4, classified: 25 });
  });

  it('a spike: NVMe timeouts 1 -> 6 are one; ATA errors 3 -> 6 are not', async () => {
    const { analyzer } = setup('spike.export');
    const s = await step(analyzer, T0 + 10 * MIN);
    expect(keys(s)).toEqual(['WARNING log_error_spike']);
    const patterns = s.findings[0]!.details!['patterns'] as Array<{
      pattern: string;
      count: number;
      previousCount: number;
    }>;
    expect(patterns.map((p) => [p.pattern, p.count, p.previousCount])).toEqual([
      ['kernel: nvme nvme0: I/O <n> QID <n> timeout, aborting', 6, 1],
    ]);
    expect(s.stats).toMatchObject({ currentWindow: 12, previousWindow: 4 });
  });

  it('benign chatter is dropped before any rule', async () => {
    const { analyzer } = setup('benign.export');
    const s = await step(analyzer, T0 + 10 * MIN);
    expect(s.findings).toEqual([]);
    expect(s.stats).toMatchObject({ read: 15, benign: 15 });
  });

  it('lets SMART downgrade filesystem errors through the options', async () => {
    const dir = scratch();
    const file = buildJournal(dir, [
      {
        timeMs: T0 + 7 * MIN,
        message: 'EXT4-fs error (device sdc1): ext4_lookup:1851: inode #2: comm ls',
        ...kernel,
      },
    ]);
    const devices: Array<string | undefined> = [];
    const analyzer = createLogAnalyzer({
      db: store(dir),
      exec,
      options: { files: [file], filesystemSeverity: (d) => (devices.push(d), 'WARNING') },
    });
    const s = await step(analyzer, T0 + 10 * MIN);
    expect([devices, keys(s), s.stats.classified]).toEqual([['sdc1'], [], 1]);
  });
});

const kernel = { priority: 3, identifier: 'kernel' } as const;

/** io-errors.export holds four bursts, at T0+0:30, +5:30, +10:30 and +15:30. */
const burst = (n: number) =>
  readJournalFixture('io-errors.export').filter(
    (e) => e.timeMs >= T0 + n * 5 * MIN && e.timeMs < T0 + (n + 1) * 5 * MIN,
  );
const IO_PATTERNS = 8;

describe('incremental reading and persistent patterns', () => {
  it('reads only new lines each step and reports patterns persisting 15 minutes', async () => {
    const dir = scratch();
    const db = store(dir);
    const analyzer = createLogAnalyzer({ db, exec, options: { directory: dir } });
    const results: LogStep[] = [];
    for (let n = 0; n < 4; n++) {
      buildJournal(dir, burst(n));
      results.push(await step(analyzer, T0 + (n * 5 + 1) * MIN));
    }
    // 13 lines a burst, 2 of them info-level; each step reads only its own burst.
    expect(results.map((s) => [s.stats.read, s.stats.classified, s.stats.currentWindow])).toEqual([
      [11, 8, 8],
      [11, 8, 8],
      [11, 8, 8],
      [11, 8, 8],
    ]);
    expect(results.slice(0, 3).map((s) => s.findings)).toEqual([[], [], []]);
    const last = results[3]!;
    expect(last.findings).toHaveLength(IO_PATTERNS);
    expect(last.findings.every((f) => f.check === 'log_persistent_errors' && f.severity === 'WARNING')).toBe(
      true,
    );
    expect(last.findings.map((f) => f.errorKey)).toContain('log_persistent_8b115ffe');
    expect(last.findings.find((f) => f.errorKey === 'log_persistent_8b115ffe')!.reason).toBe(
      '4 times over 15 min: kernel: I/O error, dev sdb, sector 201446848 op 0x0:(READ) flags 0x80700 phys_seg 1 prio class 2',
    );
    expect(patternRows(db).map((r) => r.count)).toEqual(Array(IO_PATTERNS).fill(4));
  });

  it('after a restart, refills the windows from the journal without counting lines twice', async () => {
    const { dir, db, file, analyzer } = setup('cascade.export');
    const before = await step(analyzer, T0 + 10 * MIN);
    const rows = patternRows(db);
    db.close();
    const db2 = store(dir);
    const restarted = createLogAnalyzer({ db: db2, exec, options: { files: [file] } });
    const after = await step(restarted, T0 + 11 * MIN);
    expect(after.stats.read).toBe(0);
    // Tokens after T0+6:00 are still in the window: 17 of them, still a cascade.
    expect(keys(after)).toEqual(keys(before));
    expect(after.findings.find((f) => f.check === 'log_error_cascade')!.details).toMatchObject({ count: 17 });
    expect(patternRows(db2)).toEqual(rows);
  });

  it('hands the recent warning-or-worse lines to the vms checks, benign ones included', async () => {
    const { analyzer } = setup('cascade.export');
    expect(analyzer.recentLines(T0 + 10 * MIN)).toEqual([]);
    await step(analyzer, T0 + 10 * MIN);
    const lines = analyzer.recentLines(T0 + 10 * MIN);
    expect(lines).toHaveLength(29);
    expect(lines[0]).toEqual({
      at: T0 + 5 * MIN + 30_000,
      message: '[TOTEM ] Token has not been received in 2737 ms',
      priority: 4,
      unit: 'corosync.service',
      identifier: 'corosync',
    });
    expect(lines.some((l) => l.message.startsWith('[TOTEM ] A new membership'))).toBe(true);
    expect(analyzer.recentLines(T0 + 20 * MIN)).toEqual([]);
  });

  it('hands over only the lines keepLine accepts', async () => {
    const dir = scratch();
    const file = buildJournal(dir, readJournalFixture('cascade.export'));
    const analyzer = createLogAnalyzer({
      db: store(dir),
      exec,
      options: { files: [file] },
      keepLine: (m) => m.includes('A new membership'),
    });
    await step(analyzer, T0 + 10 * MIN);
    const lines = analyzer.recentLines(T0 + 10 * MIN);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.message.startsWith('[TOTEM ] A new membership'))).toBe(true);
  });

  it("hands the kernel's info-level oom-kill summaries to the vms checks, which name the guest and task", async () => {
    // oom-kill.export without systemd's `<vmid>.scope: ... killed by the OOM killer` lines (systemd
    // may log those below warning): the kernel's `oom-kill:` summary (priority 6) is then the only line
    // naming the guest, and the `Out of memory: Killed process` line (err) names none.
    const dir = scratch();
    const entries = readJournalFixture('oom-kill.export').filter(
      (e) => !/\.scope: A process/.test(String(e.message)),
    );
    const file = buildJournal(dir, entries);
    const analyzer = createLogAnalyzer({ db: store(dir), exec, options: { files: [file] } });
    const s = await step(analyzer, T0 + 10 * MIN);
    expect(s.stats.oomSummaries).toBe(2);
    const lines = analyzer.recentLines(T0 + 10 * MIN);
    expect(lines.filter((l) => l.message.startsWith('oom-kill:'))).toEqual([
      {
        at: Date.parse('2026-11-26T10:07:12.040Z'),
        message:
          'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=qemu.slice,mems_allowed=0,global_oom,task_memcg=/qemu.slice/100.scope,task=kvm,pid=48213,uid=0',
        priority: 6,
        identifier: 'kernel',
      },
      expect.objectContaining({ at: Date.parse('2026-11-26T10:08:31.040Z'), priority: 6 }),
    ]);
    expect(lines.map((l) => l.at)).toEqual(lines.map((l) => l.at).sort((a, b) => a - b));

    // Guests 100 and 104 as running VMs, next to the recorded ones.
    const pve = pveFixture();
    const vm = pve.guests.find((g) => g.type === 'qemu')!;
    pve.guests.push({ ...vm, vmid: 100, status: 'running' }, { ...vm, vmid: 104, status: 'running' });
    const vms = (journal: readonly (typeof lines)[number][]) =>
      checkVms(healthInputs({ now: T0 + 10 * MIN, fresh: { pve }, extras: { journal } })).findings;
    expect(vms(lines).map((f) => [f.errorKey, f.severity, f.check])).toEqual([
      ['vm_100', 'WARNING', 'oom_killer'],
      ['vm_104', 'WARNING', 'oom_killer'],
    ]);
    expect(vms(lines)[0]!.reason).toContain('the OOM killer killed kvm (pid 48213)');
    // What the warning-level read alone gives: no guest named, nothing found.
    expect(vms(lines.filter((l) => l.priority <= 4))).toEqual([]);
  });

  it('runs overlapping steps one after the other, so no line is read twice', async () => {
    const { db, analyzer } = setup('cascade.export');
    const [a, b] = await Promise.all([analyzer.step(T0 + 10 * MIN), analyzer.step(T0 + 10 * MIN)]);
    expect([a.ok && a.value.stats.read, b.ok && b.value.stats.read]).toEqual([29, 0]);
    expect(patternRows(db).find((r) => r.hash === '898ed0cf')?.count).toBe(20);
  });

  it('fails quietly as a value when journalctl is missing', async () => {
    const dir = scratch();
    const analyzer = createLogAnalyzer({
      db: store(dir),
      exec: createExec({ journalctl: '/nonexistent/journalctl' }),
    });
    const r = await analyzer.step(T0);
    expect(!r.ok && r.error.kind).toBe('absent');
  });
});

describe('crash safety: the pattern state and the cursor move together', () => {
  /** Runs the four io-error bursts; `crashAt` makes that step die between its writes and the commit. */
  async function runBursts(
    dir: string,
    crashAt?: number,
  ): Promise<{ rows: PatternRow[]; cursor?: string; findings: string[] }> {
    let db = store(dir);
    let crash = crashAt;
    let current = -1;
    const make = (d: Db) =>
      createLogAnalyzer({
        db: d,
        exec,
        options: { directory: dir },
        beforeCommit: () => {
          if (crash === current) throw new Error('simulated crash');
        },
      });
    let analyzer = make(db);
    let findings: string[] = [];
    for (let n = 0; n < 4; n++) {
      buildJournal(dir, burst(n));
      current = n;
      const r = await analyzer.step(T0 + (n * 5 + 1) * MIN);
      if (!r.ok) {
        expect(r.error).toEqual({
          kind: 'io',
          message: 'saving the log analysis state failed: simulated crash',
        });
        // The process "dies": a new store handle and a new analyzer, as after a restart.
        crash = undefined;
        db.close();
        db = store(dir);
        analyzer = make(db);
        const retry = await analyzer.step(T0 + (n * 5 + 1) * MIN + 20_000);
        if (!retry.ok) throw new Error(retry.error.message);
        findings = keys(retry.value);
        continue;
      }
      findings = keys(r.value);
    }
    return { rows: patternRows(db), cursor: storedCursor(db), findings };
  }

  it('a crash before the commit loses nothing and counts nothing twice', async () => {
    const reference = await runBursts(scratch());
    expect(reference.rows).toHaveLength(IO_PATTERNS);
    for (const crashAt of [0, 2, 3]) {
      const crashed = await runBursts(scratch(), crashAt);
      expect(crashed.rows.map((r) => [r.hash, r.count, r.first_seen, r.last_seen])).toEqual(
        reference.rows.map((r) => [r.hash, r.count, r.first_seen, r.last_seen]),
      );
      expect(crashed.findings).toEqual(reference.findings);
      expect(crashed.cursor?.replace(/^s=\w+;/, '')).toBe(reference.cursor?.replace(/^s=\w+;/, ''));
    }
  });

  it('a real kill -9 inside the transaction leaves the store as before the step', async () => {
    const dir = scratch();
    const analyzer = createLogAnalyzer({ db: store(dir), exec, options: { directory: dir } });
    buildJournal(dir, burst(0));
    await step(analyzer, T0 + MIN);
    const db = store(dir);
    const before = { rows: patternRows(db), cursor: storedCursor(db) };
    buildJournal(dir, burst(1));

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./fixtures/step-and-die.ts', import.meta.url)),
        dir,
        String(T0 + 6 * MIN),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, sig) => resolve(sig)),
    );
    expect([signal, output]).toEqual(['SIGKILL', 'writing\n']);

    const reopened = store(dir);
    expect({ rows: patternRows(reopened), cursor: storedCursor(reopened) }).toEqual(before);
    const again = await step(
      createLogAnalyzer({ db: reopened, exec, options: { directory: dir } }),
      T0 + 6 * MIN,
    );
    expect(again.stats.read).toBe(11);
    expect(patternRows(reopened).map((r) => r.count)).toEqual(Array(IO_PATTERNS).fill(2));
  });
});
