import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import { createCpuSource } from '../sources/cpu/index.js';
import type { Exec } from '../sources/exec.js';
import { createLatencySource } from '../sources/latency/index.js';
import { createMemorySource } from '../sources/memory/index.js';
import { parseSensorsJson } from '../sources/sensors/parse.js';
import { createSmartSource } from '../sources/smart/index.js';
import { fail, ok, type Result } from '../sources/source.js';
import { sourceContext } from '../test-support/source-context.js';
import { memoryLogger } from '../test-support/tools.js';
import { createHistoryRecorder, HISTORY_SERIES } from './recorder.js';
import { HISTORY_MIGRATION } from './schema.js';
import { createHistoryStore, type HistoryStore } from './store.js';

const T0 = Date.UTC(2026, 10, 26, 12);
const text = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const proc = (phase: string) =>
  fileURLToPath(new URL(`../processes/fixtures/proc-busy-yes/${phase}`, import.meta.url));

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** Replies recorded from smartctl, served as /dev/sda.. with the exit status each recorded. */
const SMART_REPLIES = [
  'smartctl-a-sata-hdd-errorlog-exit64.json',
  'smartctl-a-nvme-smartctl74.json',
  'smartctl-a-standby-sata-smartctl75.json',
];
async function smartSnapshot() {
  const devices = SMART_REPLIES.map((_, i) => ({ device: `/dev/sd${'abc'[i]}` }));
  const exec: Exec = async (_tool, args) => {
    const i = devices.findIndex((d) => d.device === args.at(-1));
    if (i < 0) return fail('io', 'unexpected call');
    const reply = text(`../sources/smart/fixtures/${SMART_REPLIES[i]}`);
    const exitCode = Number(/"exit_status":\s*(\d+)/.exec(reply)?.[1] ?? 0);
    return ok({ stdout: reply, stderr: '', exitCode, durationMs: 1 });
  };
  return value(
    await createSmartSource({ scan: false, devices }).collect(sourceContext({ exec, now: () => T0 })),
  );
}

async function latencySnapshot() {
  const ping = text('../sources/latency/fixtures/ping-127.0.0.1-ok.txt');
  const exec: Exec = async () => ok({ stdout: ping, stderr: '', exitCode: 0, durationMs: 1 });
  return value(await createLatencySource({ targets: ['gateway'] }).collect(sourceContext({ exec })));
}

/** The cpu source over the recorded /proc/stat pair: its second run has a usage ratio. */
async function cpuSnapshot() {
  const cpu = createCpuSource();
  await cpu.collect(sourceContext({ paths: { procfs: proc('before') } }));
  return value(await cpu.collect(sourceContext({ paths: { procfs: proc('after') } })));
}

function setup() {
  const db = new Database(':memory:');
  db.exec(HISTORY_MIGRATION);
  const store = createHistoryStore(db);
  const snapshots = new SnapshotCache(() => T0);
  for (const name of ['cpu', 'memory', 'sensors', 'hwmon', 'smart', 'latency'])
    snapshots.register(name, 3_600_000);
  const recorder = createHistoryRecorder({ store, snapshots });
  /** What the composition root does on a source's success: cache first, then record. */
  const refreshed = (name: string, v: unknown, at = T0) => {
    snapshots.recordSuccess(name, v, 0.01);
    recorder.record(name, v, at);
  };
  return { store, refreshed };
}

const raw = (store: HistoryStore, series: string, key = '') =>
  store.query({ series, key, from: 0, to: T0 + 86_400_000, step: 'raw' }).map((p) => [p.ts, p.avg]);

describe('history recorder, fed by real sources on recorded inputs', () => {
  it('records CPU temperature, disk temperatures by disk_id, latency and loss, CPU and memory', async () => {
    const { store, refreshed } = setup();
    refreshed(
      'sensors',
      value(parseSensorsJson(text('../sources/sensors/fixtures/sensors-j-coretemp-nvme-acpitz.json'))),
    );
    refreshed('smart', await smartSnapshot());
    refreshed('latency', await latencySnapshot());
    const cpu = await cpuSnapshot();
    refreshed('cpu', cpu);
    const memory = value(
      await createMemorySource().collect(sourceContext({ paths: { procfs: proc('after') } })),
    );
    refreshed('memory', memory);

    // The hottest coretemp sensor, as /api/system shows it.
    expect(raw(store, HISTORY_SERIES.cpuTemperature)).toEqual([[T0, 27]]);
    // The sleeping third disk has no reading: no sample rather than a guess.
    expect(store.keys(HISTORY_SERIES.diskTemperature)).toEqual([
      '0x5000cca0499602d2',
      '6D1107091C9583054511',
    ]);
    expect(raw(store, HISTORY_SERIES.diskTemperature, '0x5000cca0499602d2')).toEqual([[T0, 26]]);
    expect(raw(store, HISTORY_SERIES.diskTemperature, '6D1107091C9583054511')).toEqual([[T0, 48]]);
    expect(raw(store, HISTORY_SERIES.latency, 'gateway')).toEqual([[T0, 0.053e-3]]);
    expect(raw(store, HISTORY_SERIES.packetLoss, 'gateway')).toEqual([[T0, 0]]);
    expect(cpu.usageRatio).toBeGreaterThan(0.9);
    expect(raw(store, HISTORY_SERIES.cpuUsage)).toEqual([[T0, cpu.usageRatio]]);
    const used = memory.usedBytes!;
    expect(used).toBeGreaterThan(0);
    expect(raw(store, HISTORY_SERIES.memoryUsed)).toEqual([[T0, used]]);
    expect(raw(store, HISTORY_SERIES.memoryUsage)).toEqual([[T0, used / (24683620 * 1024)]]);
  });

  it('keeps one sample a minute per series, allowing for the scheduler jitter', () => {
    const { store, refreshed } = setup();
    const cpu = (ratio: number) => ({ usageRatio: ratio });
    for (const [offset, ratio] of [
      [0, 0.1],
      [5_000, 0.2],
      [30_000, 0.3],
      [55_000, 0.4], // 5 s early still counts as due
      [100_000, 0.5],
      [115_000, 0.6],
    ] as const)
      refreshed('cpu', cpu(ratio), T0 + offset);
    expect(raw(store, HISTORY_SERIES.cpuUsage)).toEqual([
      [T0, 0.1],
      [T0 + 55_000, 0.4],
      [T0 + 115_000, 0.6],
    ]);
  });

  it('ignores sources it does not keep, values that are not numbers, and never throws on a store error', () => {
    const { store, refreshed } = setup();
    refreshed('cpu', { usageRatio: undefined });
    refreshed('latency', { targets: [{ target: 'gateway', address: '10.0.0.1', error: 'unreachable' }] });
    expect(raw(store, HISTORY_SERIES.cpuUsage)).toEqual([]);
    expect(store.keys(HISTORY_SERIES.latency)).toEqual([]);

    const { logger, lines } = memoryLogger();
    const broken: HistoryStore = {
      ...store,
      insert: () => {
        throw new Error('database is locked');
      },
    };
    const snapshots = new SnapshotCache(() => T0);
    const recorder = createHistoryRecorder({ store: broken, snapshots, logger });
    expect(() => {
      recorder.record('cpu', { usageRatio: 0.5 }, T0);
      recorder.record('cpu', { usageRatio: 0.5 }, T0 + 60_000);
      recorder.record('pve', { guests: [] }, T0);
    }).not.toThrow();
    expect(lines.filter((l) => l.msg === 'history sample not stored')).toHaveLength(1);
  });
});
