import { z } from 'zod';
import { ok, type Result } from '../sources/source.js';
import { num, rowsOf, str } from './common.js';

export type TaskOutcome = 'ok' | 'warning' | 'failed' | 'running';

export interface PveTask {
  upid: string;
  /** vzdump, qmstart, aptupdate, ... */
  type?: string | undefined;
  /** The task's object, usually a vmid; empty for node-wide tasks (e.g. a vzdump job). */
  id?: string | undefined;
  node?: string | undefined;
  user?: string | undefined;
  starttime?: number | undefined;
  endtime?: number | undefined;
  /** "OK", "WARNINGS: n" or the error text; absent while running. */
  status?: string | undefined;
  outcome: TaskOutcome;
}

const taskRow = z.object({
  upid: z.string(),
  type: str,
  id: str,
  node: str,
  user: str,
  starttime: num,
  endtime: num,
  status: str,
});

export function taskOutcome(status: string | undefined): TaskOutcome {
  if (status === undefined) return 'running';
  if (status === 'OK') return 'ok';
  if (/^WARNINGS?:/.test(status)) return 'warning';
  return 'failed';
}

/** `/nodes/{node}/tasks` and `/cluster/tasks` (same entry shape). */
export function parseTasks(input: unknown): Result<PveTask[]> {
  const rows = rowsOf(input, 'tasks');
  if (!rows.ok) return rows;
  const out: PveTask[] = [];
  for (const row of rows.value) {
    const r = taskRow.safeParse(row);
    if (r.success) out.push({ ...r.data, outcome: taskOutcome(r.data.status) });
  }
  return ok(out);
}

/** Failed tasks counted by task type (types with no failure are absent). */
export function failedTasksByType(tasks: readonly PveTask[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of tasks) {
    if (t.outcome !== 'failed') continue;
    const type = t.type ?? 'unknown';
    out.set(type, (out.get(type) ?? 0) + 1);
  }
  return out;
}

/**
 * End time of the last successful vzdump task per guest. Only single-guest runs name their vmid in `id`;
 * a job over several guests has an empty id and is not attributable here (use backup content instead).
 * WARNINGS still wrote an archive, so they count as successful.
 */
export function lastVzdumpByGuest(tasks: readonly PveTask[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of tasks) {
    if (t.type !== 'vzdump' || (t.outcome !== 'ok' && t.outcome !== 'warning')) continue;
    if (t.id === undefined || !/^\d+$/.test(t.id)) continue;
    const when = t.endtime ?? t.starttime;
    if (when === undefined) continue;
    const vmid = Number(t.id);
    if (when > (out.get(vmid) ?? -Infinity)) out.set(vmid, when);
  }
  return out;
}
