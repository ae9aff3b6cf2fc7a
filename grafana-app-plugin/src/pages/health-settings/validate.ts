import { MAX_DISMISS_HOURS, type ThresholdEntry } from './api';

// Checks the page runs before it sends anything; they mirror the exporter's own (health.ts,
// thresholds.ts, settings.ts) so a refused value is explained on its field instead of by a 400.

/** A number typed into a field, or why it is not acceptable. */
export type Parsed = { ok: true; value: number } | { ok: false; error: string };

/** The exporter's RESOURCE_NAME: PVE storage and interface names, no separators or control characters. */
export const RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$/;
export const MAX_REASON = 500;

export function validateResourceName(name: string): string | undefined {
  if (name.trim() === '') {
    return 'Enter or pick a name';
  }
  if (!RESOURCE_NAME.test(name)) {
    return 'Up to 64 letters, digits and _ . : @ -, starting with a letter or digit';
  }
  return undefined;
}

export const validateReason = (reason: string): string | undefined =>
  reason.length > MAX_REASON ? `At most ${MAX_REASON} characters` : undefined;

const parseNumber = (text: string): number | undefined => {
  const t = text.trim();
  if (t === '') {
    return undefined;
  }
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
};

export function parseDismissHours(text: string): Parsed {
  const n = parseNumber(text);
  if (n === undefined) {
    return { ok: false, error: 'Enter a number of hours' };
  }
  if (!Number.isInteger(n)) {
    return { ok: false, error: 'Whole hours only' };
  }
  if (n < 1 || n > MAX_DISMISS_HOURS) {
    return { ok: false, error: `Between 1 and ${MAX_DISMISS_HOURS} hours (ten years)` };
  }
  return { ok: true, value: n };
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** 24 → "1 day", 168 → "1 week", 8760 → "1 year", 30 → "1 day 6 hours". */
export function humanHours(hours: number): string {
  if (hours % 8760 === 0) {
    return plural(hours / 8760, 'year');
  }
  if (hours % 168 === 0) {
    return plural(hours / 168, 'week');
  }
  if (hours < 24) {
    return plural(hours, 'hour');
  }
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  return rest ? `${plural(days, 'day')} ${plural(rest, 'hour')}` : plural(days, 'day');
}

/** Units whose thresholds are counted or timed in whole steps. */
const WHOLE_UNITS = new Set(['count', 'days', 's', 'ms']);

/** What to write after a value: "85%", "80 °C", "300 s", "4×", "15". */
export function formatValue(value: number, unit: string): string {
  if (unit === '%') {
    return `${value}%`;
  }
  if (unit === 'ratio') {
    return `${value}×`;
  }
  if (unit === 'count') {
    return String(value);
  }
  return `${value} ${unit}`;
}

/** The unit shown beside a threshold's input; none for plain counts. */
export const unitLabel = (unit: string): string | undefined =>
  unit === 'count' ? undefined : unit === 'ratio' ? '×' : unit;

export function parseThreshold(entry: ThresholdEntry, text: string): Parsed {
  const n = parseNumber(text);
  if (n === undefined) {
    return { ok: false, error: 'Enter a number' };
  }
  if (WHOLE_UNITS.has(entry.unit) && !Number.isInteger(n)) {
    return { ok: false, error: 'Whole numbers only' };
  }
  if (n < entry.min || n > entry.max) {
    return {
      ok: false,
      error: `Must be between ${formatValue(entry.min, entry.unit)} and ${formatValue(entry.max, entry.unit)}`,
    };
  }
  return { ok: true, value: n };
}

/** One broken ordering between two keys of a section, with what to say on each key's field. */
export interface OrderProblem {
  messages: Record<string, string>;
  /** The key that depends on the warning (its critical or recovery), blamed when neither was edited. */
  dependent: string;
}

/**
 * The exporter's checkThresholdOrder for one section: `<x>_critical` ≥ `<x>_warning` and
 * `<x>_recovery` < `<x>_warning`.
 */
export function checkOrder(values: Record<string, number>): OrderProblem[] {
  const problems: OrderProblem[] = [];
  for (const [key, warning] of Object.entries(values)) {
    if (!key.endsWith('_warning') && !key.includes('_warning_')) {
      continue;
    }
    const criticalKey = key.replace('_warning', '_critical');
    const critical = values[criticalKey];
    if (critical !== undefined && critical < warning) {
      problems.push({
        dependent: criticalKey,
        messages: {
          [criticalKey]: `Must be at least ${key} (${warning})`,
          [key]: `Must not be above ${criticalKey} (${critical})`,
        },
      });
    }
    const recoveryKey = key.replace('_warning', '_recovery');
    const recovery = values[recoveryKey];
    if (recovery !== undefined && recovery >= warning) {
      problems.push({
        dependent: recoveryKey,
        messages: {
          [recoveryKey]: `Must be below ${key} (${warning})`,
          [key]: `Must be above ${recoveryKey} (${recovery})`,
        },
      });
    }
  }
  return problems;
}

export interface SectionCheck {
  /** Every key's value: the typed one where it parses, else the current one. */
  values: Record<string, number>;
  /** The keys whose typed value differs from the current one. */
  changes: Record<string, number>;
  errors: Record<string, string>;
}

/** Validates a section's typed values (`drafts`, by key; a missing key keeps its current value). */
export function checkSection(
  entries: Record<string, ThresholdEntry>,
  drafts: Record<string, string>,
): SectionCheck {
  const values: Record<string, number> = {};
  const changes: Record<string, number> = {};
  const errors: Record<string, string> = {};
  for (const [key, entry] of Object.entries(entries)) {
    const text = drafts[key];
    if (text === undefined) {
      values[key] = entry.value;
      continue;
    }
    const parsed = parseThreshold(entry, text);
    if (!parsed.ok) {
      errors[key] = parsed.error;
      values[key] = entry.value;
      continue;
    }
    values[key] = parsed.value;
    if (parsed.value !== entry.value) {
      changes[key] = parsed.value;
    }
  }
  // The error goes on the field(s) just edited; an unparsable field keeps its own error.
  for (const problem of checkOrder(values)) {
    const edited = Object.keys(problem.messages).filter((k) => k in changes);
    for (const key of edited.length ? edited : [problem.dependent]) {
      errors[key] ??= problem.messages[key]!;
    }
  }
  return { values, changes, errors };
}
