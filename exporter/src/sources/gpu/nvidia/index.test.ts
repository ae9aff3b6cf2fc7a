import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExec, type Exec } from '../../exec.js';
import { readText } from '../../read.js';
import { fail, type Result, type SourceContext } from '../../source.js';
import type { GpuSnapshot } from '../types.js';
import { createNvidiaSource } from './index.js';

const fakeBin = (name: string) =>
  fileURLToPath(new URL(`../../../../../tests/fake-bin/${name}`, import.meta.url));
const H100_UUID = 'GPU-6e1f9a28-3d00-140e-ed41-553106267e02';
const DRIVER_MESSAGE =
  "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.";

let dir: string;
let log: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'proxmon-nvidia-'));
  log = join(dir, 'argv.log');
  process.env.NVIDIA_SMI_LOG = log;
});
afterEach(() => {
  for (const k of ['NVIDIA_SMI_LOG', 'NVIDIA_SMI_REJECT', 'NVIDIA_SMI_NO_NOUNITS', 'NVIDIA_SMI_EXIT'])
    delete process.env[k];
  rmSync(dir, { recursive: true, force: true });
});

function context(exec: Exec, signal = new AbortController().signal): SourceContext {
  return {
    paths: { procfs: '/proc', sysfs: '/sys', rootfs: '/' },
    exec,
    readText,
    signal,
    now: Date.now,
    logger: pino({ level: 'silent' }),
  };
}

const nvidiaSmi = (name: string) => createExec({ 'nvidia-smi': fakeBin(name) });
const calls = () =>
  readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ')[0]?.replace(/=.*/, '='));

function valueOf(r: Result<GpuSnapshot>): GpuSnapshot {
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return r.value;
}

describe('nvidia source through a stand-in nvidia-smi and the real exec', () => {
  it('reads the H100 capture, detecting the fields once for many collections', async () => {
    const source = createNvidiaSource();
    expect([source.name, source.intervalSeconds, source.timeoutSeconds]).toEqual(['nvidia', 10, 5]);
    const ctx = context(nvidiaSmi('nvidia-smi-h100'));
    const first = valueOf(await source.collect(ctx));
    valueOf(await source.collect(ctx));
    expect(calls()).toEqual(['--help-query-gpu', '--query-gpu=', '--query-gpu=']);
    expect(first.processes).toBeUndefined();
    expect(first.gpus).toHaveLength(1);
    expect(first.gpus[0]).toMatchObject({
      id: H100_UUID,
      name: 'NVIDIA H100 80GB HBM3',
      utilizationRatio: 0,
      memoryTotalBytes: 81559 * 1024 * 1024,
      powerWatts: 132.26,
      clocksHertz: { graphics: 405e6, sm: 405e6, memory: 2619e6 },
      temperatureCelsius: 47,
    });
    expect(first.gpus[0]?.fanRatio).toBeUndefined();
  });

  it('adds per-process memory when asked', async () => {
    const snap = valueOf(
      await createNvidiaSource({ processes: true }).collect(context(nvidiaSmi('nvidia-smi-h100'))),
    );
    expect(snap.processes).toEqual([
      {
        gpu: 'GPU-06d8588f-24f9-a800-8e22-a34f4dfa5c44',
        pid: 440,
        name: 'python3',
        usedMemoryBytes: 1002 * 1024 * 1024,
      },
    ]);
    expect(calls()).toContain('--query-compute-apps=');
  });

  it('drops a field the query rejects, detects again, and keeps the new list', async () => {
    process.env.NVIDIA_SMI_REJECT = 'temperature.memory';
    const source = createNvidiaSource();
    const ctx = context(nvidiaSmi('nvidia-smi-h100'));
    const snap = valueOf(await source.collect(ctx));
    expect(snap.gpus[0]).toMatchObject({ id: H100_UUID, temperatureCelsius: 47 });
    expect(snap.gpus[0]?.memoryTemperatureCelsius).toBeUndefined();
    valueOf(await source.collect(ctx));
    expect(calls()).toEqual([
      '--help-query-gpu',
      '--query-gpu=',
      '--help-query-gpu',
      '--query-gpu=',
      '--query-gpu=',
    ]);
  });

  it('falls back to values with units when nounits is not understood', async () => {
    process.env.NVIDIA_SMI_NO_NOUNITS = '1';
    const snap = valueOf(await createNvidiaSource().collect(context(nvidiaSmi('nvidia-smi-h100'))));
    expect(snap.gpus[0]).toMatchObject({ powerWatts: 132.43, memoryTotalBytes: 81559 * 1024 * 1024 });
    expect(readFileSync(log, 'utf8')).toMatch(/--format=csv,noheader\n$/);
  });

  it('reports a driver that does not answer as an exit error with its message', async () => {
    expect(await createNvidiaSource().collect(context(nvidiaSmi('nvidia-smi-no-driver')))).toEqual(
      fail('exit', DRIVER_MESSAGE),
    );
  });

  it('is absent when no GPU is visible or nvidia-smi is not installed', async () => {
    expect(await createNvidiaSource().collect(context(nvidiaSmi('nvidia-smi-no-devices')))).toEqual(
      fail('absent', 'nvidia-smi: no devices were found'),
    );
    const missing = createExec({ 'nvidia-smi': join(dir, 'no-such-nvidia-smi') });
    expect(await createNvidiaSource().collect(context(missing))).toEqual(
      fail('absent', 'nvidia-smi: not installed'),
    );
  });

  it('reports garbage as a parse error, or as an exit error with its status', async () => {
    expect(await createNvidiaSource().collect(context(nvidiaSmi('nvidia-smi-garbage')))).toMatchObject({
      ok: false,
      error: { kind: 'parse' },
    });
    process.env.NVIDIA_SMI_EXIT = '3';
    expect(await createNvidiaSource().collect(context(nvidiaSmi('nvidia-smi-garbage')))).toEqual(
      fail('exit', 'nvidia-smi exited 3: Segmentation fault?'),
    );
  });

  it('gives up on a hung nvidia-smi when the deadline aborts it', async () => {
    const t0 = Date.now();
    const r = await createNvidiaSource().collect(context(nvidiaSmi('hang'), AbortSignal.timeout(300)));
    expect(r).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
