import { z } from 'zod';
import { TIMEFRAME_NAMES } from '../history/timeframes.js';

const num = z.number().nullable();

export const historyTimeframeQuery = z.strictObject({
  timeframe: z
    .enum(TIMEFRAME_NAMES)
    .default('hour')
    .describe('hour: every sample; 6hour, day: 5-minute buckets; 3day, week, month, quarter: hourly buckets'),
});

export const historySeriesSchema = z.object({
  timeframe: z.enum(TIMEFRAME_NAMES),
  step_seconds: num.describe('bucket width; null when every sample is listed'),
  from: z.string().describe('ISO 8601'),
  to: z.string().describe('ISO 8601'),
  points: z
    .array(
      z.object({
        time: z.number().describe('unix seconds: the sample time, or the start of the bucket'),
        value: z.number().describe('the sample, or the average of the bucket'),
        min: z.number(),
        max: z.number(),
        samples: z.number().int(),
      }),
    )
    .describe('oldest first; a time with no sample (a sleeping disk, the exporter stopped) is simply absent'),
  stats: z.object({
    min: num,
    max: num,
    avg: num.describe('over every sample in the window'),
    current: num.describe('the newest sample, when it falls in the window'),
    current_at: z.string().nullable(),
  }),
});

export const temperatureHistoryResponse = historySeriesSchema.extend({
  unit: z.literal('celsius'),
});

export const diskTemperatureHistoryResponse = temperatureHistoryResponse.extend({
  disk_id: z.string(),
  device: z.string().nullable().describe('where the disk was last seen; null when only its history is left'),
});

export const nodeHistoryResponse = z.object({
  timeframe: z.enum(TIMEFRAME_NAMES),
  cpu_usage_ratio: historySeriesSchema,
  memory_usage_ratio: historySeriesSchema,
  memory_used_bytes: historySeriesSchema,
});
