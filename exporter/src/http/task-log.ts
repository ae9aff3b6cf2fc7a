import type { PveAccess } from '../pve/index.js';
import { parseUpid, pveGet } from './pve-call.js';

/** A page of one PVE task's log. */
export interface TaskLogPage {
  upid: string;
  /** The node that ran the task (from the UPID), which holds its log. */
  node: string;
  lines: string[];
}

/** The text of each `{n, t}` row; a row without text stays as an empty line, so numbering holds. */
function lineTexts(rows: unknown): string[] {
  if (!Array.isArray(rows)) return [];
  return rows.map((r: unknown) => {
    const t = r !== null && typeof r === 'object' ? (r as { t?: unknown }).t : undefined;
    return typeof t === 'string' ? t : '';
  });
}

/**
 * Lines `start` to `start + limit` of a task's log (`/nodes/{node}/tasks/{upid}/log`), for the JSON view
 * (`/api/events/:upid/log`) and the text download (`/api/task-log/:upid`) alike. A malformed UPID is a
 * validation error before anything reaches PVE.
 */
export async function readTaskLog(
  pve: PveAccess,
  rawUpid: string | undefined,
  page: { start: number; limit: number },
): Promise<TaskLogPage> {
  const { upid, node } = parseUpid(rawUpid);
  const rows = await pveGet<unknown>(pve, `/nodes/${node}/tasks/${upid}/log`, {
    start: page.start,
    limit: page.limit,
  });
  return { upid, node, lines: lineTexts(rows) };
}
