import { FIVE_MINUTES_MS, HOUR_MS, type HistoryStep } from './store.js';

/**
 * What a `timeframe` asks for: how far back, and at which resolution. Each resolution is one the
 * store keeps for at least that long (raw 24 h, 5-minute 7 d, hourly 90 d), at a few hundred points.
 */
export const TIMEFRAMES = {
  hour: { spanMs: HOUR_MS, step: 'raw' },
  '6hour': { spanMs: 6 * HOUR_MS, step: FIVE_MINUTES_MS },
  day: { spanMs: 24 * HOUR_MS, step: FIVE_MINUTES_MS },
  '3day': { spanMs: 72 * HOUR_MS, step: HOUR_MS },
  week: { spanMs: 7 * 24 * HOUR_MS, step: HOUR_MS },
  month: { spanMs: 30 * 24 * HOUR_MS, step: HOUR_MS },
  quarter: { spanMs: 90 * 24 * HOUR_MS, step: HOUR_MS },
} as const satisfies Record<string, { spanMs: number; step: HistoryStep }>;

export type Timeframe = keyof typeof TIMEFRAMES;
export const TIMEFRAME_NAMES = Object.keys(TIMEFRAMES) as [Timeframe, ...Timeframe[]];
