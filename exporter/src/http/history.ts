import { Router } from 'express';
import type { z } from 'zod';
import { HISTORY_SERIES } from '../history/recorder.js';
import type { HistoryStore } from '../history/store.js';
import { TIMEFRAMES, type Timeframe } from '../history/timeframes.js';
import type { Db } from '../store/db.js';
import { listDisks } from '../store/disks.js';
import { errors } from './errors.js';
import {
  diskTemperatureHistoryResponse,
  historySeriesSchema,
  historyTimeframeQuery,
  nodeHistoryResponse,
  temperatureHistoryResponse,
} from './history-schema.js';
import { ApiRouter } from './route.js';

export interface HistoryRouterDeps {
  history: HistoryStore;
  /** The disk registry, to find a disk by device name and to tell a known disk from a typo. */
  db: Db;
  now?: () => number;
}

type SeriesView = z.input<typeof historySeriesSchema>;

/** One series over a timeframe as the API shows it: points, and stats over every sample in them. */
export function historySeries(
  history: HistoryStore,
  series: string,
  key: string,
  timeframe: Timeframe,
  now: number,
): SeriesView {
  const { spanMs, step } = TIMEFRAMES[timeframe];
  const from = now - spanMs;
  const points = history.query({ series, key, from, to: now, step });
  let samples = 0;
  let sum = 0;
  for (const p of points) {
    samples += p.count;
    sum += p.avg * p.count;
  }
  const latest = history.latest(series, key);
  const current = latest && latest.ts >= from && latest.ts <= now ? latest : undefined;
  return {
    timeframe,
    step_seconds: step === 'raw' ? null : step / 1000,
    from: new Date(from).toISOString(),
    to: new Date(now).toISOString(),
    points: points.map((p) => ({
      time: p.ts / 1000,
      value: p.avg,
      min: p.min,
      max: p.max,
      samples: p.count,
    })),
    stats: {
      min: points.length ? Math.min(...points.map((p) => p.min)) : null,
      max: points.length ? Math.max(...points.map((p) => p.max)) : null,
      avg: samples ? sum / samples : null,
      current: current?.value ?? null,
      current_at: current ? new Date(current.ts).toISOString() : null,
    },
  };
}

/** `sda` and `/dev/sda` name the same device. */
const devicePath = (name: string) => (name.startsWith('/') ? name : `/dev/${name}`);

/** Temperature, CPU and memory history kept by proxmon itself (raw 24 h, 5-minute 7 d, hourly 90 d). */
export function createHistoryRouter({ history, db, now = Date.now }: HistoryRouterDeps): ApiRouter {
  const api = new ApiRouter('/api', Router(), 'history');

  api.route(
    {
      method: 'get',
      path: '/temperature/history',
      auth: 'read',
      summary: 'CPU temperature history (the hottest CPU sensor) with min, max, average and current',
      query: historyTimeframeQuery,
      response: temperatureHistoryResponse,
    },
    ({ query }) => ({
      ...historySeries(history, HISTORY_SERIES.cpuTemperature, '', query.timeframe, now()),
      unit: 'celsius' as const,
    }),
  );

  api.route(
    {
      method: 'get',
      path: '/disk/:id/temperature/history',
      auth: 'read',
      summary: 'Temperature history of one disk, by disk_id or device name (sda, /dev/sda)',
      query: historyTimeframeQuery,
      response: diskTemperatureHistoryResponse,
    },
    ({ params, query }) => {
      const id = params.id ?? '';
      const disks = listDisks(db, { includeRemoved: true });
      const record =
        disks.find((d) => d.diskId === id) ??
        disks.find((d) => d.removedAt === undefined && d.device === devicePath(id));
      const diskId = record?.diskId ?? id;
      if (!record && !history.keys(HISTORY_SERIES.diskTemperature).includes(diskId))
        throw errors.notFound(`no disk ${id} (by disk_id or device)`);
      return {
        ...historySeries(history, HISTORY_SERIES.diskTemperature, diskId, query.timeframe, now()),
        unit: 'celsius' as const,
        disk_id: diskId,
        device: record?.device ?? null,
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/history/node',
      auth: 'read',
      summary: 'CPU usage and memory history of this host',
      query: historyTimeframeQuery,
      response: nodeHistoryResponse,
    },
    ({ query }) => {
      const at = now();
      const series = (name: string) => historySeries(history, name, '', query.timeframe, at);
      return {
        timeframe: query.timeframe,
        cpu_usage_ratio: series(HISTORY_SERIES.cpuUsage),
        memory_usage_ratio: series(HISTORY_SERIES.memoryUsage),
        memory_used_bytes: series(HISTORY_SERIES.memoryUsed),
      };
    },
  );
  return api;
}
