/**
 * The health phase's measured process: `node --max-semi-space-size=4 --import tsx health-cycle.ts <dir>`
 * (proxmon's own heap flag). Builds a large host and its journal in <dir>, runs a cold and a warm health
 * cycle and prints their costs as one JSON line (CycleResults) on stdout; progress goes to stderr.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createHealthMonitor } from '../../exporter/src/health/monitor.js';
import type { HealthSnapshot } from '../../exporter/src/health/status.js';
import { HealthStore } from '../../exporter/src/health/store/index.js';
import { USER_HZ } from '../../exporter/src/sources/cpu/parse.js';
import { createExec, type Exec, type ExecOutput } from '../../exporter/src/sources/exec.js';
import { openStore } from '../../exporter/src/store/db.js';
import { silentLogger } from '../../exporter/src/test-support/tools.js';
import { buildJournal } from '../../tests/journal.js';
import { largeHost } from './health-host.js';
import { busyHostJournal, JOURNAL_LINES } from './health-journal.js';

const MIN = 60_000;
/** A fixed clock: journalctl reads by absolute time, so the journal's age does not matter. */
const T0 = Date.UTC(2026, 10, 26, 12);

export interface CycleCost {
  /** user + system of the measured process, all its threads, over the cycle. */
  selfSeconds: number;
  /** user + system of its children reaped during the cycle: the journalctl runs. */
  childSeconds: number;
  wallSeconds: number;
  /** Distinct entries (by cursor) the cycle's `journalctl -o export` / `-o json` reads returned. */
  journalEntries: number;
  overall: string;
  categories: Array<{ category: string; status: string; findings: number }>;
}

export interface CycleResults {
  cold: CycleCost;
  warm: CycleCost;
}

const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);

async function main(workDir: string): Promise<CycleResults> {
  const journalDir = join(workDir, 'journal');
  await mkdir(journalDir);
  progress(`writing ${JOURNAL_LINES} journal lines with systemd-journal-remote`);
  buildJournal(journalDir, busyHostJournal(JOURNAL_LINES, T0 - 9 * MIN, T0 - 1000));

  let now = T0;
  const { snapshots, samples } = await largeHost(now);
  const db = openStore(join(workDir, 'data'));
  try {
    const reads: ExecOutput[] = [];
    const monitor = createHealthMonitor({
      db,
      store: new HealthStore(db, () => now),
      snapshots,
      samples,
      exec: keepJournalReads(createExec(), reads),
      paths: { procfs: '/nonexistent/proc', sysfs: '/nonexistent/sys', rootfs: '/nonexistent' },
      logger: silentLogger(),
      now: () => now,
      journal: { enabled: true, directory: journalDir },
    });
    progress('cold health cycle');
    const cold = await measureCycle(() => monitor.runCycle(), reads);
    // Five minutes on, as many lines again: the steady state of a host that logs this much.
    now += 5 * MIN;
    progress(`appending ${JOURNAL_LINES} journal lines`);
    buildJournal(journalDir, busyHostJournal(JOURNAL_LINES, T0, now - 1000));
    progress('warm health cycle');
    const warm = await measureCycle(() => monitor.runCycle(), reads);
    return { cold, warm };
  } finally {
    db.close();
  }
}

async function measureCycle(run: () => Promise<HealthSnapshot>, reads: ExecOutput[]): Promise<CycleCost> {
  reads.length = 0;
  const ticks = childTicks();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const snapshot = await run();
  const wallSeconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const childSeconds = (childTicks() - ticks) / USER_HZ;
  // Counted once the clock has stopped, so counting costs the cycle nothing.
  const cursors = new Set<string>();
  for (const out of reads) for (const m of out.stdout.matchAll(CURSOR)) cursors.add(m[1] ?? m[2]!);
  const journalEntries = cursors.size;
  return {
    selfSeconds: (used.user + used.system) / 1e6,
    childSeconds,
    wallSeconds,
    journalEntries,
    overall: snapshot.overall,
    categories: snapshot.categories.map((c) => ({
      category: c.category,
      status: c.status,
      findings: c.evaluation.findings.length,
    })),
  };
}

/** An entry's cursor in `-o export` output (its first line) or in `-o json` output. */
const CURSOR = /^__CURSOR=(.+)$|"__CURSOR":"([^"]+)"/gm;

/**
 * Keeps each journalctl read of entries (`-o export` or `-o json`), to count them afterwards. The output
 * is kept whole and decoded only when counting: reading `stdout` here would decode it inside the
 * measured cycle, a cost the cycle itself may not pay.
 */
function keepJournalReads(exec: Exec, reads: ExecOutput[]): Exec {
  return async (tool, args, options) => {
    const r = await exec(tool, args, options);
    if (r.ok && tool === 'journalctl' && (args.includes('export') || args.includes('json')))
      reads.push(r.value);
    return r;
  };
}

/** cutime + cstime of this process (fields 16 and 17 of /proc/self/stat), in clock ticks. */
function childTicks(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Counted from the end of the command name, which may hold spaces; field 3 comes first.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[16 - 3]) + Number(fields[17 - 3]);
}

const workDir = process.argv[2];
if (workDir === undefined) {
  process.stderr.write('usage: health-cycle.ts <empty work dir>\n');
  process.exitCode = 2;
} else {
  process.stdout.write(`${JSON.stringify(await main(workDir))}\n`);
}
