import type { JournalEntry } from '../../health/logs/journal.js';
import { entryText } from '../../health/logs/patterns.js';
import type { NotifySeverity } from '../channels/channel.js';
import type { FieldValue, NotificationEvent } from '../event.js';

/** The line kept as `reason`; a kernel stack dump or a JSON blob is cut here. */
export const MAX_REASON = 1000;

export type Entity = NonNullable<NotificationEvent['entity']>;

/**
 * One event from a journal line: `reason` is the line as `<identifier>: <message>` (capped), undefined
 * fields are left out, and `at` is the entry's own time so replays and tests are deterministic.
 */
export function journalEvent(
  entry: JournalEntry,
  type: string,
  severity: NotifySeverity,
  fields: Record<string, FieldValue>,
  entity?: Entity,
): NotificationEvent {
  const text = entryText(entry);
  const clean: Record<string, FieldValue> = {
    reason: text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}…` : text,
  };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) clean[k] = v;
  return {
    type,
    severity,
    source: 'journal',
    at: entry.timeMs,
    fields: clean,
    ...(entity ? { entity } : {}),
  };
}
