import { readdir, readFile } from 'node:fs/promises';

/**
 * Every process the bench starts carries PROXMON_BENCH_RUN=<id> in its environment, and so does
 * everything they start (proxmon passes its environment to host tools). Tools run in process groups
 * of their own, so killing the servers' groups can miss a hung fake tool; the marker finds it.
 */
const MARKER_VARIABLE = 'PROXMON_BENCH_RUN';

/** The parent environment without any PROXMON_* settings of the caller's, plus the marker. */
export function markedEnv(runId: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PROXMON_')) env[key] = value;
  }
  env[MARKER_VARIABLE] = runId;
  return env;
}

/** SIGKILLs every process whose environment carries this run's marker; returns their command lines. */
export async function killMarkedProcesses(runId: string): Promise<string[]> {
  const needle = `\0${MARKER_VARIABLE}=${runId}\0`;
  const killed: string[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      // Leading NUL so the needle also matches the first variable.
      const environ = `\0${await readFile(`/proc/${pid}/environ`, 'latin1')}`;
      if (!environ.includes(needle)) continue;
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim();
      process.kill(pid, 'SIGKILL');
      killed.push(`${pid} ${cmdline}`);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return killed;
}
