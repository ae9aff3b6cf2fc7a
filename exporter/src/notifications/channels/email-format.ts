import { version } from '../../version.js';
import type { NotifySeverity, RenderedMessage } from './channel.js';
import { escapeHtml, SEVERITY_ICON } from './http.js';
import { safeHttpLink } from './safe-link.js';

/** The email's three parts, built purely from the rendered message. */
export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** Severity colours shared with the Discord embeds (reference §3.5). */
const SEVERITY_COLOUR: Readonly<Record<NotifySeverity, string>> = {
  CRITICAL: '#ED4245',
  WARNING: '#FEE75C',
  INFO: '#5865F2',
  OK: '#57F287',
};

const MAX_SUBJECT_CHARS = 200;

export function renderEmail(message: RenderedMessage, subjectPrefix: string): EmailContent {
  return {
    subject: emailSubject(message, subjectPrefix),
    text: emailText(message),
    html: emailHtml(message),
  };
}

/** `[proxmon] CRITICAL: title`, on one line (a CR/LF in a title must never start a new header). */
export function emailSubject(message: RenderedMessage, prefix: string): string {
  const parts = [prefix.trim(), `${message.severity}:`, message.title].filter((p) => p !== '');
  const oneLine = parts.join(' ').replace(/[\r\n\t\v\f]+/g, ' ');
  return oneLine.length <= MAX_SUBJECT_CHARS ? oneLine : `${oneLine.slice(0, MAX_SUBJECT_CHARS - 1)}…`;
}

export function emailText(message: RenderedMessage): string {
  const lines = [
    `[${message.severity}] ${message.title}`,
    `Host: ${message.host}`,
    `Time: ${isoTime(message.at)}`,
    '',
    message.body,
  ];
  if (message.fields.length > 0) {
    lines.push('');
    for (const f of message.fields) lines.push(`${f.label}: ${f.value}`);
  }
  if (message.url) lines.push('', `Link: ${message.url}`);
  lines.push('', '--', `Sent by proxmon ${version} (event ${message.type}, group ${message.group})`);
  return lines.join('\n');
}

/** A small inline-styled report: mail clients drop <style> blocks, so every style is inline. */
export function emailHtml(message: RenderedMessage): string {
  const colour = SEVERITY_COLOUR[message.severity];
  const paragraphs = message.body
    .split('\n')
    .map((line) => (line.trim() === '' ? '<br>' : `<p style="margin:0 0 4px 0">${escapeHtml(line)}</p>`))
    .join('\n');
  const rows = [
    ['Host', message.host],
    ['Time', isoTime(message.at)],
    ['Event', `${message.type} (${message.group})`],
    ...message.fields.map((f) => [f.label, f.value] as const),
  ]
    .map(
      ([label, value]) =>
        `<tr><td style="padding:2px 12px 2px 0;color:#555;white-space:nowrap;vertical-align:top">${escapeHtml(label ?? '')}</td>` +
        `<td style="padding:2px 0">${escapeHtml(value ?? '')}</td></tr>`,
    )
    .join('\n');
  const link = safeHttpLink(message.url);
  return [
    '<!DOCTYPE html>',
    '<html><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">',
    `<div style="border-left:6px solid ${colour};padding:8px 12px;max-width:720px">`,
    `<h2 style="margin:0 0 8px 0;font-size:18px">${SEVERITY_ICON[message.severity]} ${escapeHtml(message.title)}</h2>`,
    `<div style="display:inline-block;background:${colour};color:#111;border-radius:3px;padding:1px 6px;font-size:12px;font-weight:bold">${message.severity}</div>`,
    `<div style="margin:12px 0">\n${paragraphs}\n</div>`,
    `<table style="border-collapse:collapse;font-size:13px">\n${rows}\n</table>`,
    link ? `<p style="margin:12px 0 0 0"><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>` : '',
    '</div>',
    `<p style="color:#888;font-size:11px;margin-top:16px">Sent by proxmon ${escapeHtml(version)}</p>`,
    '</body></html>',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

function isoTime(at: number): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : d.toISOString();
}
