import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { openStore, type Db } from '../../store/db.js';
import { lastTrace, runOp, STEP, workload, type Op } from './fixtures/crash-workload.js';
import { T0 } from './fixtures/harness.js';
import { HealthStore } from './health-store.js';

const CHILD = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
const EXPORTER = fileURLToPath(new URL('../../..', import.meta.url));
const TABLES = [
  'health_errors',
  'health_events',
  'health_suppression',
  'health_settings',
  'health_exclusions',
];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'proxmon-health-crash-'));
  dirs.push(d);
  return d;
};

interface ChildRun {
  lines: string[];
  signal: NodeJS.Signals | null;
}

/** Runs the child until it begins cycle `target`, then SIGKILLs it (most likely inside that cycle). */
function runUntilKilled(dir: string, target: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], {
      cwd: EXPORTER,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let partial = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        const m = /^begin (\d+)$/.exec(line);
        if (m && Number(m[1]) >= target) child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (partial) lines.push(partial);
      if (signal !== 'SIGKILL') reject(new Error(`child exited ${code}: ${stderr}`));
      else resolve({ lines, signal });
    });
  });
}

function dump(db: Db): Record<string, unknown[]> {
  return Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
}

it('a kill -9 at any point keeps every committed cycle, dismissal and counter, and no half cycle', async () => {
  const dir = tempDir();
  // The same operations, run in-process without interruption, up to where the child got.
  const replayDb = openStore(tempDir());
  let replayNow = 0;
  const replay = new HealthStore(replayDb, () => replayNow);
  const ops = workload(100_000);
  let pending: Op | undefined;
  const replayUpTo = (until: number): void => {
    for (;;) {
      const op = pending ?? ops.next().value;
      if (!op || op.at > until) {
        pending = op || undefined;
        return;
      }
      pending = undefined;
      replayNow = op.at;
      runOp(replay, op);
    }
  };

  let lastDone = 0;
  let killedInsideCycle = 0;
  for (let round = 1; round <= 12 && killedInsideCycle < 3; round++) {
    const { lines } = await runUntilKilled(dir, lastDone + 10 + round);
    const done = lines.flatMap((l) => /^done (\d+)$/.exec(l)?.[1] ?? []).map(Number);
    const last = lines.at(-1)!;
    lastDone = Math.max(lastDone, ...done);

    const db = openStore(dir); // integrity check included
    const committed = lastTrace(db);
    // Nothing the child reported done is lost.
    expect(committed).toBeGreaterThanOrEqual(T0 + lastDone * STEP);
    const begun = /^begin (\d+)$/.exec(last);
    if (begun && committed < T0 + Number(begun[1]) * STEP) killedInsideCycle++;
    replayUpTo(committed);
    // Whole operations only: the tables equal an uninterrupted run of exactly the committed ones.
    expect(dump(db)).toEqual(dump(replayDb));
    db.close();
  }
  expect(killedInsideCycle).toBe(3);

  // The workload exercised what matters.
  const types = replayDb.prepare(`SELECT DISTINCT type FROM health_events ORDER BY type`).pluck().all();
  expect(types).toEqual(expect.arrayContaining(['new', 'resolved', 'dismissed', 'persistent', 'escalated']));
  const dismissed = replayDb
    .prepare(`SELECT count(*) FROM health_errors WHERE acknowledged_at IS NOT NULL`)
    .pluck();
  expect(dismissed.get()).toBeGreaterThan(0);
  replayDb.close();
}, 120_000);
