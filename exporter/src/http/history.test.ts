import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_SERIES } from '../history/recorder.js';
import { createHistoryStore, type HistoryStore } from '../history/store.js';
import { openStore, type Db } from '../store/db.js';
import { recordDisksSeen } from '../store/disks.js';
import { migrations } from '../store/migrations.js';
import { startRouterHarness, type RouterHarness } from '../test-support/router-harness.js';
import { createHistoryRouter } from './history.js';
import {
  diskTemperatureHistoryResponse,
  nodeHistoryResponse,
  temperatureHistoryResponse,
} from './history-schema.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 10, 26);
/** The clock the router answers at: 3 h 2 min after the first sample. */
const NOW = T0 + 3 * HOUR + 2 * MIN;

let h: RouterHarness;
let db: Db;
let history: HistoryStore;

beforeAll(async () => {
  // The history migration as the lead will append it.
  db = openStore(mkdtempSync(join(tmpdir(), 'proxmon-history-')), migrations);
  history = createHistoryStore(db);
  recordDisksSeen(
    db,
    [{ diskId: '0x5000cca0499602d2', device: '/dev/sda', model: 'HGST HUS724020ALE640', type: 'hdd' }],
    T0,
  );
  // One sample a minute for 3 hours: CPU temperature 40..59 repeating, sda 30 then 31, CPU and memory.
  for (let i = 0; i < 180; i++) {
    const ts = T0 + i * MIN;
    history.insert([
      { series: HISTORY_SERIES.cpuTemperature, key: '', ts, value: 40 + (i % 20) },
      { series: HISTORY_SERIES.diskTemperature, key: '0x5000cca0499602d2', ts, value: i < 90 ? 30 : 31 },
      { series: HISTORY_SERIES.cpuUsage, key: '', ts, value: 0.25 },
      { series: HISTORY_SERIES.memoryUsage, key: '', ts, value: 0.5 },
      { series: HISTORY_SERIES.memoryUsed, key: '', ts, value: 8e9 },
    ]);
    // The job, every 5 minutes.
    if (i % 5 === 0) history.maintain(ts + 15_000);
  }
  // A disk pulled long ago: only its history is left.
  history.insert([{ series: HISTORY_SERIES.diskTemperature, key: 'ZA1PULLED', ts: T0 + HOUR, value: 44 }]);
  h = await startRouterHarness([createHistoryRouter({ history, db, now: () => NOW })]);
});
afterAll(async () => {
  await h.stop();
  db.close();
});

describe('GET /api/temperature/history', () => {
  it('lists every sample of the last hour with stats', async () => {
    const r = await h.call('GET', '/api/temperature/history');
    expect(r.status).toBe(200);
    const body = temperatureHistoryResponse.parse(r.body);
    expect(body).toMatchObject({
      timeframe: 'hour',
      unit: 'celsius',
      step_seconds: null,
      from: new Date(NOW - HOUR).toISOString(),
      to: new Date(NOW).toISOString(),
    });
    // Samples 122..179 fall in the last hour.
    expect(body.points).toHaveLength(58);
    expect(body.points[0]).toEqual({
      time: (T0 + 122 * MIN) / 1000,
      value: 42,
      min: 42,
      max: 42,
      samples: 1,
    });
    expect(body.stats).toEqual({
      min: 40,
      max: 59,
      // 42..59 once, then 40..59 twice.
      avg: (909 + 2 * 990) / 58,
      current: 59,
      current_at: new Date(T0 + 179 * MIN).toISOString(),
    });
  });

  it('answers a day in 5-minute buckets and a week or month in hourly buckets, with exact aggregates', async () => {
    const day = temperatureHistoryResponse.parse(
      (await h.call('GET', '/api/temperature/history?timeframe=day')).body,
    );
    expect(day.step_seconds).toBe(300);
    expect(day.points).toHaveLength(36);
    expect(day.points[0]).toEqual({ time: T0 / 1000, value: 42, min: 40, max: 44, samples: 5 });
    expect(day.stats).toMatchObject({ min: 40, max: 59, avg: 49.5, current: 59 });
    for (const timeframe of ['week', 'month'])
      expect(
        temperatureHistoryResponse.parse(
          (await h.call('GET', `/api/temperature/history?timeframe=${timeframe}`)).body,
        ).points,
      ).toEqual(
        [0, 1, 2].map((i) => ({ time: (T0 + i * HOUR) / 1000, value: 49.5, min: 40, max: 59, samples: 60 })),
      );
  });

  it('refuses an unknown timeframe and stray parameters with 400, and needs the read scope', async () => {
    for (const q of ['timeframe=year', 'timeframe=', 'from=0']) {
      const r = await h.call('GET', `/api/temperature/history?${q}`);
      expect([q, r.status]).toEqual([q, 400]);
    }
    expect((await h.call('GET', '/api/temperature/history', { scopes: null })).status).toBe(401);
    expect((await h.call('GET', '/api/temperature/history', { scopes: ['terminal'] })).status).toBe(403);
  });
});

describe('GET /api/disk/:id/temperature/history', () => {
  it('finds the disk by disk_id or by device name', async () => {
    for (const id of ['0x5000cca0499602d2', 'sda', encodeURIComponent('/dev/sda')]) {
      const r = await h.call('GET', `/api/disk/${id}/temperature/history?timeframe=day`);
      expect([id, r.status]).toEqual([id, 200]);
      const body = diskTemperatureHistoryResponse.parse(r.body);
      expect(body).toMatchObject({ disk_id: '0x5000cca0499602d2', device: '/dev/sda', unit: 'celsius' });
      expect(body.stats).toMatchObject({ min: 30, max: 31, avg: 30.5, current: 31 });
    }
  });

  it('still serves the history of a disk only history remembers, and 404s an unknown one', async () => {
    const pulled = diskTemperatureHistoryResponse.parse(
      (await h.call('GET', '/api/disk/ZA1PULLED/temperature/history?timeframe=day')).body,
    );
    expect(pulled).toMatchObject({ disk_id: 'ZA1PULLED', device: null, stats: { current: 44 } });
    const r = await h.call('GET', '/api/disk/sdz/temperature/history');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: { code: 'not_found', message: 'no disk sdz (by disk_id or device)' } });
  });
});

describe('GET /api/history/node', () => {
  it('gives CPU usage and memory series side by side', async () => {
    const body = nodeHistoryResponse.parse((await h.call('GET', '/api/history/node?timeframe=6hour')).body);
    expect(body.timeframe).toBe('6hour');
    expect(body.cpu_usage_ratio.stats).toMatchObject({ avg: 0.25, current: 0.25 });
    expect(body.memory_usage_ratio.points).toHaveLength(36);
    expect(body.memory_used_bytes.stats).toMatchObject({ min: 8e9, max: 8e9 });
  });
});

describe('OpenAPI', () => {
  it('describes every history route as read', async () => {
    const doc = (await h.call('GET', '/api/openapi.json')).body as {
      paths: Record<string, Record<string, { 'x-auth': string }>>;
    };
    expect(Object.entries(doc.paths).map(([p, m]) => [p, m.get?.['x-auth']])).toEqual([
      ['/api/temperature/history', 'read'],
      ['/api/disk/{id}/temperature/history', 'read'],
      ['/api/history/node', 'read'],
    ]);
  });
});
