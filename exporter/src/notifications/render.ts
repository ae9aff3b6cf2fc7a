import type { RenderedMessage } from './channels/channel.js';
import { eventDef } from './catalogue.js';
import type { FieldValue, NotificationEvent } from './event.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function humanBytes(n: number): string {
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${UNITS[i]}`;
}

export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [d && `${d}d`, h && `${h}h`, m && `${m}m`].filter(Boolean);
  return parts.length ? parts.join(' ') : `${s % 60}s`;
}

/** A field as text: bytes and durations humanised, booleans as yes/no, missing as "". */
export function fieldText(name: string, v: FieldValue): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') {
    if (name.endsWith('_bytes')) return humanBytes(v);
    if (name.endsWith('_seconds')) return humanDuration(v);
    return String(v);
  }
  return v;
}

/** `{name}` placeholders; unknown or missing ones become empty, never the literal braces. */
export function fill(template: string, fields: Readonly<Record<string, string>>): string {
  return template
    .replace(/\{([a-z_][a-z0-9_]*)\}/gi, (_, name: string) => fields[name] ?? '')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\(\s*\)/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** Fields shown as a table (label: value) besides the body; internal ones stay out. */
const HIDDEN_FIELDS = new Set(['reason', 'summary', 'details', 'title', 'body', 'hostname']);
const label = (name: string) => name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/** The template text of an event for a host: what goes out when no AI rewrite is configured (or it fails). */
export function renderEvent(e: NotificationEvent, host: string): RenderedMessage {
  const def = eventDef(e.type);
  const texts: Record<string, string> = { hostname: host, severity: e.severity };
  for (const [k, v] of Object.entries(e.fields)) texts[k] = fieldText(k, v);
  if (typeof e.fields.duration_seconds === 'number')
    texts.duration ??= humanDuration(e.fields.duration_seconds);
  const title = fill(def.title, texts) || def.label;
  const body = fill(def.body, texts);
  return {
    title: title.slice(0, 250),
    body,
    severity: e.severity,
    type: e.type,
    group: def.group,
    fields: Object.entries(texts)
      .filter(([k, v]) => v !== '' && !HIDDEN_FIELDS.has(k) && k !== 'severity')
      .map(([k, v]) => ({ label: label(k), value: v.slice(0, 1000) })),
    host,
    at: e.at,
    ...(typeof e.fields.url === 'string' ? { url: e.fields.url } : {}),
  };
}
