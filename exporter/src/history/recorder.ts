import type { Logger } from 'pino';
import { cpuTemperature, pickSensorChips } from '../metrics/sensors.js';
import type { SnapshotReader } from '../snapshots.js';
import { CPU_SOURCE, type CpuSnapshot } from '../sources/cpu/index.js';
import { LATENCY_SOURCE, type LatencySnapshot } from '../sources/latency/index.js';
import { MEMORY_SOURCE, type MemorySnapshot } from '../sources/memory/index.js';
import { SMART_SOURCE, type SmartSnapshot } from '../sources/smart/index.js';
import type { HistorySample, HistoryStore } from './store.js';

/** The series kept, by what they measure; values in base units. */
export const HISTORY_SERIES = {
  /** Hottest CPU sensor (the one /api/system shows); key ''. */
  cpuTemperature: 'cpu_temperature_celsius',
  /** Key: disk_id from the SMART snapshot. */
  diskTemperature: 'disk_temperature_celsius',
  /** Average round trip of a ping round; key: the target label (`gateway` by default). */
  latency: 'latency_seconds',
  packetLoss: 'packet_loss_ratio',
  cpuUsage: 'cpu_usage_ratio',
  memoryUsage: 'memory_usage_ratio',
  memoryUsed: 'memory_used_bytes',
} as const;

export interface HistoryRecorderDeps {
  store: HistoryStore;
  /** For values made of more than one source (the CPU temperature: lm-sensors, else hwmon). */
  snapshots: SnapshotReader;
  /** At most one sample per series and key this often; sources refreshing faster are thinned. */
  sampleMs?: number;
  logger?: Logger;
}

export interface HistoryRecorder {
  /** Call after a source refreshed successfully, with its new value (the scheduler's onSuccess). */
  record(source: string, value: unknown, now: number): void;
}

type Draft = Omit<HistorySample, 'ts'>;

function draftsOf(source: string, value: unknown, snapshots: SnapshotReader): Draft[] {
  const out: Draft[] = [];
  const add = (series: string, key: string, v: number | null | undefined) => {
    if (typeof v === 'number' && Number.isFinite(v)) out.push({ series, key, value: v });
  };
  switch (source) {
    case CPU_SOURCE:
      add(HISTORY_SERIES.cpuUsage, '', (value as CpuSnapshot).usageRatio);
      break;
    case MEMORY_SOURCE: {
      const m = value as MemorySnapshot;
      add(HISTORY_SERIES.memoryUsed, '', m.usedBytes);
      if (m.usedBytes !== undefined && m.totalBytes > 0)
        add(HISTORY_SERIES.memoryUsage, '', m.usedBytes / m.totalBytes);
      break;
    }
    case 'sensors':
    case 'hwmon':
      // Whichever refreshed, the value is the one the API shows (lm-sensors preferred).
      add(HISTORY_SERIES.cpuTemperature, '', cpuTemperature(pickSensorChips(snapshots)));
      break;
    case SMART_SOURCE:
      // A disk asleep or unread this round has no temperature: a gap, never a stale value.
      for (const d of (value as SmartSnapshot).disks)
        add(HISTORY_SERIES.diskTemperature, d.diskId, d.values.temperatureCelsius);
      break;
    case LATENCY_SOURCE:
      for (const t of (value as LatencySnapshot).targets) {
        add(HISTORY_SERIES.latency, t.target, t.rtt?.avgSeconds);
        add(HISTORY_SERIES.packetLoss, t.target, t.lossRatio);
      }
      break;
  }
  return out;
}

/** Turns source refreshes into history samples, thinned to one per `sampleMs` per series. */
export function createHistoryRecorder({
  store,
  snapshots,
  sampleMs = 60_000,
  logger,
}: HistoryRecorderDeps): HistoryRecorder {
  const last = new Map<string, number>();
  // Sources run on a jittered cadence: a sample due a little early still counts as due.
  const slack = Math.min(sampleMs * 0.1, 5_000);
  let lastError: string | undefined;

  return {
    record(source, value, now) {
      if (value === null || typeof value !== 'object') return;
      const ts = Math.round(now);
      const due = draftsOf(source, value, snapshots).filter((d) => {
        const prev = last.get(`${d.series}\0${d.key}`);
        return prev === undefined || ts - prev >= sampleMs - slack || ts < prev;
      });
      if (due.length === 0) return;
      try {
        store.insert(due.map((d) => ({ ...d, ts })));
        for (const d of due) last.set(`${d.series}\0${d.key}`, ts);
        lastError = undefined;
      } catch (err) {
        // Called from the scheduler: never throw there. Said once per distinct reason.
        const message = (err as Error).message;
        if (message !== lastError) logger?.warn({ source, reason: message }, 'history sample not stored');
        lastError = message;
      }
    },
  };
}
