import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { journalRemoteInstalled, JOURNAL_REMOTE } from '../../tests/journal.js';
import type { Cleanup } from './cleanup.js';
import type { CycleCost, CycleResults } from './health-cycle.js';
import { HOST_DISKS, HOST_GUESTS } from './health-host.js';
import { JOURNAL_LINES } from './health-journal.js';
import { renderChecks, renderTable, type Check } from './report.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CYCLE_SCRIPT = fileURLToPath(new URL('./health-cycle.ts', import.meta.url));
/** proxmon's own heap flag (exporter/src/cli.ts, `npm start`): the young generation sets the GC's share. */
const NODE_FLAGS = ['--max-semi-space-size=4'];
const CPU_LIMIT_SECONDS = 2;

const print = (text = '') => process.stdout.write(`${text}\n`);

/**
 * Issue 6: one health cycle on a large host (1000 guests, 100 disks, 50 000 journal lines), the way
 * proxmon runs it: the real monitor, store and log analyzer over a real SQLite file, and the real
 * journalctl over a real journal file, in a node process of its own started with proxmon's flags.
 */
export async function runHealthPhase(cleanup: Cleanup): Promise<Check[]> {
  print(`\n## Health cycle on a large host\n`);
  if (!journalRemoteInstalled())
    throw new Error(`${JOURNAL_REMOTE} or journalctl missing (apt-get install systemd-journal-remote)`);
  const workDir = await mkdtemp(join(tmpdir(), 'proxmon-bench-health-'));
  cleanup.add('remove health temp dir', () => rm(workDir, { recursive: true, force: true }));
  const load = loadavg()[0]?.toFixed(2);
  const { cold, warm } = await runCycles(workDir, cleanup);

  print(
    `- a standalone PVE node with ${HOST_GUESTS} guests, ${HOST_DISKS} disks (8 failing, 4 more with logged errors), ` +
      'a degraded and an unavailable pool, 128 pending upgrades and a failed pvestatd; every source fresh, ' +
      '3 h of CPU and memory samples',
  );
  print(
    `- journal: ${JOURNAL_LINES} warning-level lines over the 9 minutes before the cold cycle, written by ` +
      'systemd-journal-remote and read by the real `journalctl --directory`: the tests/fixtures/journal lines ' +
      '(OOM kills, I/O errors, a corosync cascade, failing services, benign chatter) and, in the same formats, ' +
      'guest bridge chatter, I/O errors, QMP timeouts, offline storages and failed starts',
  );
  print(
    `- the warm cycle runs in the same process 5 minutes later, after ${JOURNAL_LINES} more lines were appended`,
  );
  print(
    `- both in \`node ${NODE_FLAGS.join(' ')} --import tsx ${relative(REPO_ROOT, CYCLE_SCRIPT)}\`: ` +
      'its CPU from `process.cpuUsage()` (user + system, all threads), journalctl from the growth of ' +
      '`cutime + cstime` in its `/proc/self/stat` over the cycle (children reaped meanwhile, in 1/100 s ticks)',
  );
  print(
    `- machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${load} before the cycles ` +
      '(wall time grows with the load; CPU time much less)\n',
  );
  print(
    renderTable(
      [
        'cycle',
        'journal lines read',
        'CPU s proxmon',
        'CPU s journalctl',
        'CPU s total',
        'wall s',
        'findings',
      ],
      [row('cold', cold), row('warm', warm)],
    ),
  );
  print(
    `\n- categories after the warm cycle: ${warm.categories
      .map((c) => `${c.category} ${c.status} (${c.findings})`)
      .join(', ')}\n`,
  );

  const checks: Check[] = [
    ...(
      [
        ['cold', cold],
        ['warm', warm],
      ] as const
    ).map(([label, c]) => ({
      pass: total(c) <= CPU_LIMIT_SECONDS,
      label: `health cycle CPU ≤ ${CPU_LIMIT_SECONDS} s (${label})`,
      detail:
        `${total(c).toFixed(2)} s = ${c.selfSeconds.toFixed(2)} s proxmon ` +
        `+ ${c.childSeconds.toFixed(2)} s journalctl`,
    })),
    {
      pass: cold.journalEntries === JOURNAL_LINES && warm.journalEntries === JOURNAL_LINES,
      label: `each cycle read its ${JOURNAL_LINES} new journal lines`,
      detail: `${cold.journalEntries} cold, ${warm.journalEntries} warm`,
    },
  ];
  print(renderChecks(checks));
  return checks;
}

function runCycles(workDir: string, cleanup: Cleanup): Promise<CycleResults> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', CYCLE_SCRIPT, workDir], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanup.add('stop the health cycle process', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new Error(`health cycle process exited ${code ?? signal}`));
      try {
        resolve(JSON.parse(out) as CycleResults);
      } catch {
        reject(new Error(`health cycle process printed no result: ${out.slice(0, 200)}`));
      }
    });
  });
}

const total = (c: CycleCost) => c.selfSeconds + c.childSeconds;

function row(label: string, c: CycleCost): string[] {
  const findings = c.categories.reduce((n, cat) => n + cat.findings, 0);
  return [
    label,
    String(c.journalEntries),
    c.selfSeconds.toFixed(3),
    c.childSeconds.toFixed(2),
    total(c).toFixed(3),
    c.wallSeconds.toFixed(3),
    `${findings} (overall ${c.overall})`,
  ];
}
