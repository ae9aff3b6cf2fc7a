import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const cli = join(root, 'exporter/dist/cli.js');
export const fakeBin = join(root, 'tests/fake-bin');

export interface CliRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs the built CLI with a clean PROXMON_* environment plus `env`. */
export function runCli(args: string[], env: Record<string, string> = {}): CliRun {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PROXMON_')));
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...base, PROXMON_LATENCY_TARGETS: '127.0.0.1', PROXMON_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Starts `proxmon serve` on a free port and resolves once it logs where it listens. */
export async function startCli(env: Record<string, string> = {}): Promise<CliRun & { url: string }> {
  const run = runCli([], { PROXMON_PORT: '0', PROXMON_DATA_DIR: tempDir('data'), ...env });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const m = /"port":(\d+)[^\n]*"msg":"proxmon listening"/.exec(run.output());
    if (m) return { ...run, url: `http://127.0.0.1:${m[1]}` };
    if (run.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`proxmon did not start:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `proxmon-${name}-`));

/** A PATH whose first folder holds a hanging stand-in under each of `tools`' names. */
export function hangingPath(tools: string[]): string {
  const dir = tempDir('bin');
  for (const t of tools) symlinkSync(join(fakeBin, 'hang'), join(dir, t));
  return `${dir}:${process.env.PATH ?? ''}`;
}

export async function get(url: string): Promise<{ status: number; text: string; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - t0 };
}

export function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name}{`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}
