import type { SnapshotReader } from '../../snapshots.js';

/**
 * What a check can say about one of its sources: its fresh value, that it does not exist on this host
 * (the source's quiet `absent` outcome, or the source is disabled), or that it is down, stale or has not
 * run yet, with the reason.
 */
export type SourceState<T> =
  { kind: 'fresh'; value: T } | { kind: 'absent'; reason: string } | { kind: 'unavailable'; reason: string };

export function sourceState<T>(snapshots: SnapshotReader, name: string): SourceState<T> {
  const value = snapshots.latest<T>(name);
  if (value !== undefined) return { kind: 'fresh', value };
  const status = snapshots.statuses().find((s) => s.name === name);
  if (!status) return { kind: 'absent', reason: `the ${name} source is disabled` };
  if (status.absent) return { kind: 'absent', reason: status.error?.message ?? `${name}: not present` };
  if (status.error) return { kind: 'unavailable', reason: `${name} source failed: ${status.error.message}` };
  if (status.lastSuccessAt !== undefined)
    return { kind: 'unavailable', reason: `${name} source value is stale` };
  return { kind: 'unavailable', reason: `${name} source has no value yet` };
}

/** The fresh value, or undefined whatever the reason. */
export const freshValue = <T>(state: SourceState<T>): T | undefined =>
  state.kind === 'fresh' ? state.value : undefined;
