import { spawn } from 'node:child_process';
import { fail, ok, type Result } from './source.js';

export interface ExecOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Output beyond this is an error rather than unbounded memory. */
  maxOutputBytes?: number;
}

export interface ExecOutput {
  /** stdout decoded as UTF-8; an Exec result decodes it on first access, once. */
  readonly stdout: string;
  /**
   * stdout as it came: a parser of a large or binary output reads this and skips the decode. Fakes in
   * tests may leave it out; outputBytes() below gives the bytes either way.
   */
  readonly stdoutBytes?: Buffer;
  stderr: string;
  /** Exit status; meaningful statuses (smartctl's bitmask, `sensors -j` exiting 1) are data for parsers. */
  exitCode: number;
  durationMs: number;
}

/**
 * Runs a host tool. Errors are values: `absent` when the tool is not installed, `timeout` when it
 * outlived its deadline (its whole process group is killed), `io` when it could not be started or was
 * killed by a signal. Any exit status counts as having run.
 */
export type Exec = (
  tool: string,
  args: readonly string[],
  options: ExecOptions,
) => Promise<Result<ExecOutput>>;

const DEFAULT_MAX_OUTPUT = 32 * 1024 * 1024;

export function createExec(toolPaths: Readonly<Record<string, string>> = {}): Exec {
  return (tool, args, options) => run(toolPaths[tool] ?? tool, tool, args, options);
}

/**
 * spawn() forks this whole process on the event loop's thread and waits for the child to exec: 10–15
 * ms for an exporter of our size on a small VM. Sources that start tools together (every source at
 * startup, the PVE calls of one refresh) would block for all of them in one go and stall a scrape
 * for that long. So at most one spawn per event-loop turn: requests that came in meanwhile are
 * served between two forks.
 */
let lastTurn: Promise<void> = Promise.resolve();
function spawnTurn(): Promise<void> {
  const turn = lastTurn.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
  lastTurn = turn;
  return turn;
}

async function run(
  command: string,
  tool: string,
  args: readonly string[],
  { timeoutMs, signal, maxOutputBytes = DEFAULT_MAX_OUTPUT }: ExecOptions,
): Promise<Result<ExecOutput>> {
  await spawnTurn();
  const started = performance.now();
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(fail('timeout', `${tool}: aborted before start`));
    // detached: the child leads its own process group, so a kill reaches a wrapper script and
    // everything it started, not just the direct child.
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let settled = false;

    const settle = (result: Result<ExecOutput>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const abort = (kind: 'timeout' | 'io', message: string) => {
      killGroup();
      // A grandchild that escaped the group could hold the pipes open; do not wait for them.
      child.stdout?.destroy();
      child.stderr?.destroy();
      settle(fail(kind, message));
    };
    const onAbort = () => abort('timeout', `${tool}: aborted`);
    const timer = setTimeout(() => abort('timeout', `${tool}: timed out after ${timeoutMs} ms`), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });

    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxOutputBytes) return abort('io', `${tool}: output exceeded ${maxOutputBytes} bytes`);
      into.push(chunk);
    };
    child.stdout?.on('data', collect(stdout));
    child.stderr?.on('data', collect(stderr));

    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') settle(fail('absent', `${tool}: not installed`));
      else if (err.code === 'EACCES') settle(fail('io', `${tool}: permission denied (${command})`));
      else settle(fail('io', `${tool}: ${err.message}`));
    });
    child.on('close', (code, killedBy) => {
      if (code === null) return settle(fail('io', `${tool}: killed by ${killedBy ?? 'a signal'}`));
      settle(
        ok(
          execOutput(
            Buffer.concat(stdout),
            Buffer.concat(stderr).toString('utf8'),
            code,
            performance.now() - started,
          ),
        ),
      );
    });
  });
}

/** An ExecOutput whose `stdout` is decoded from `bytes` on first access (then kept). */
export function execOutput(bytes: Buffer, stderr: string, exitCode: number, durationMs: number): ExecOutput {
  let text: string | undefined;
  return {
    get stdout() {
      return (text ??= bytes.toString('utf8'));
    },
    stdoutBytes: bytes,
    stderr,
    exitCode,
    durationMs,
  };
}

/** The bytes of an output's stdout: as Exec kept them, or encoded from a fake's `stdout`. */
export const outputBytes = (out: ExecOutput): Buffer => out.stdoutBytes ?? Buffer.from(out.stdout, 'utf8');
