import { z } from 'zod';
import type { SnapshotReader } from '../snapshots.js';

/** How a source behind an API answer is doing, so a client can tell "nothing there" from "broken". */
export const sourceStatusSchema = z.object({
  enabled: z.boolean().describe('false when config turned the source off'),
  up: z.boolean().describe('the last run succeeded'),
  absent: z.boolean().describe('the last run found the tool or device simply not there'),
  error: z.string().nullable().describe('why the last run failed'),
  last_success_at: z.string().nullable().describe('ISO 8601'),
  fresh: z.boolean().describe('a value recent enough to be served (the data above comes from it)'),
});

export type SourceStatusView = z.input<typeof sourceStatusSchema>;

export function sourceStatus(snapshots: SnapshotReader, name: string): SourceStatusView {
  const s = snapshots.statuses().find((x) => x.name === name);
  if (!s)
    return { enabled: false, up: false, absent: false, error: null, last_success_at: null, fresh: false };
  return {
    enabled: true,
    up: s.up,
    absent: s.absent,
    error: s.error?.message ?? null,
    last_success_at: s.lastSuccessAt === undefined ? null : new Date(s.lastSuccessAt).toISOString(),
    fresh: snapshots.takenAt(name) !== undefined,
  };
}

/** Epoch milliseconds or seconds to ISO 8601; unknown stays null. */
export const isoFromMs = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();
export const isoFromSeconds = (s: number | undefined): string | null =>
  s === undefined ? null : new Date(s * 1000).toISOString();
