import { isIPv6 } from 'node:net';
import type { NotifySeverity, RenderedMessage } from '../channels/channel.js';
import { fail, ok, type Result } from '../../sources/source.js';

/** A rewrite that passed every check: ready to replace the template's title and body. */
export interface RewrittenText {
  title: string;
  body: string;
}

export const MAX_TITLE_CHARS = 250;
/** Far above any detail level's budget: a longer body means the model ran away, not that it was thorough. */
export const MAX_BODY_CHARS = 8000;

const SEVERITY_WORDS: readonly NotifySeverity[] = ['CRITICAL', 'WARNING', 'INFO', 'OK'];

const rejected = (why: string) => fail('parse', `AI reply rejected: ${why}`);

/**
 * Reads a model's `[TITLE] … [BODY] …` reply and accepts it only when it is a faithful rewrite of
 * `original`: both sections present once and in order, a one-line title of at most 250 characters, a
 * body unless the original had none, every identifier of the original still there, and no severity
 * word dropped or swapped. Pure; never throws.
 */
export function parseRewriteReply(reply: string, original: RenderedMessage): Result<RewrittenText> {
  const sections = splitSections(reply);
  if (!sections.ok) return sections;
  const { title, body } = sections.value;
  if (title === '') return rejected('empty title');
  if (title.includes('\n')) return rejected('title spans several lines');
  if (title.length > MAX_TITLE_CHARS) return rejected(`title longer than ${MAX_TITLE_CHARS} characters`);
  if (body === '' && original.body.trim() !== '') return rejected('empty body');
  if (body.length > MAX_BODY_CHARS) return rejected(`body longer than ${MAX_BODY_CHARS} characters`);

  const before = `${original.title}\n${original.body}`;
  const after = `${title}\n${body}`;
  const missing = missingIdentifiers(before, after, original);
  if (missing.length > 0) {
    // Name the whole address or path, not also each number or word inside it.
    const outer = missing.filter((id) => !missing.some((other) => other !== id && other.includes(id)));
    return rejected(`identifiers dropped or changed: ${listSome(outer)}`);
  }
  const severity = severityChange(before, after, original.severity);
  if (severity) return rejected(severity);
  return ok({ title, body });
}

function splitSections(reply: string): Result<RewrittenText> {
  let text = reply.replace(/\r\n?/g, '\n');
  // Reasoning models served through Ollama or OpenRouter may think out loud first.
  text = text.replace(/<think>[\s\S]*?<\/think>/g, '');
  if (text.includes('<think>')) return rejected('unterminated <think> block');
  text = text.trim();
  const fenced = /^```[\w-]*\n([\s\S]*?)\n```$/.exec(text);
  if (fenced) text = (fenced[1] ?? '').trim();
  if (!text.startsWith('[TITLE]')) return rejected('reply does not start with [TITLE]');
  if (count(text, '[TITLE]') !== 1 || count(text, '[BODY]') !== 1) {
    return rejected('[TITLE] and [BODY] must each appear exactly once');
  }
  const bodyAt = text.indexOf('[BODY]');
  return ok({
    title: plain(text.slice('[TITLE]'.length, bodyAt)).trim(),
    body: plain(text.slice(bodyAt + '[BODY]'.length))
      .replace(/[ \t]+$/gm, '')
      .trim(),
  });
}

/** Strips the Markdown a model adds out of habit (bold, headings); channels expect plain text. */
function plain(text: string): string {
  return text.replace(/\*\*/g, '').replace(/^#{1,6}[ \t]+/gm, '');
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function listSome(items: readonly string[]): string {
  const shown = items.slice(0, 5).join(', ');
  return items.length > 5 ? `${shown} and ${items.length - 5} more` : shown;
}

/** Identifiers of `before` that `after` no longer contains as a whole token. */
export function missingIdentifiers(before: string, after: string, original?: RenderedMessage): string[] {
  return extractIdentifiers(before, original).filter((id) => !hasToken(after, id));
}

/**
 * The tokens of a notification text that a rewrite must keep verbatim: IPv4 and IPv6 addresses,
 * numbers of three or more digits (vmids, sizes, years, ports), absolute paths with two or more parts
 * (/dev/sda, /mnt/pve/backup), dotted host names, device names (sda, nvme0n1, eth0, vmbr0), words
 * mixing letters and digits (pve1, web01), the message's host, and single-token field values that
 * look like identifiers (backup-nfs, local-lvm) where the text mentions them.
 */
export function extractIdentifiers(text: string, original?: RenderedMessage): string[] {
  const found = new Set<string>();
  const add = (token: string | undefined) => {
    if (token && token.length > 0) found.add(token);
  };
  for (const m of text.matchAll(IPV4)) add(m[0]);
  for (const token of text.split(/[\s,;()[\]<>"'`{}|]+/)) {
    const candidate = token.replace(/[.,:;!?]+$/, '');
    if (count(candidate, ':') >= 2 && isIPv6(candidate)) add(candidate);
  }
  for (const m of text.matchAll(/(?<![A-Za-z0-9_])\d{3,}(?![A-Za-z0-9_])/g)) add(m[0]);
  for (const m of text.matchAll(ABSOLUTE_PATH)) add(m[0].replace(/[.,:;!?]+$/, ''));
  for (const m of text.matchAll(DOTTED_NAME)) add(m[0]);
  for (const m of text.matchAll(DEVICE_NAME)) add(m[0]);
  for (const m of text.matchAll(/[A-Za-z0-9_]+/g)) {
    const word = m[0];
    if (/[A-Za-z]/.test(word) && /\d/.test(word) && !NUMBER_WITH_UNIT.test(word)) add(word);
  }
  if (original) {
    const host = original.host.trim();
    if (host !== '' && !/\s/.test(host) && hasToken(text, host)) add(host);
    for (const field of original.fields) {
      const value = field.value.trim();
      if (looksLikeIdentifier(value) && hasToken(text, value)) add(value);
    }
  }
  // Only what stands as a whole token in the text itself, so restating the text always passes.
  return [...found].filter((token) => hasToken(text, token));
}

const IPV4 =
  /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d)/g;
/** Not after a word character, a colon or a slash, so `I/O`, `KiB/s` and URL paths do not count. */
const ABSOLUTE_PATH = /(?<![\w.~:/-])\/[\w.@+-]+(?:\/[\w.@+-]+)+/g;
/** Two or more labels ending in an alphabetic one: pve1.example.com (and file names, which also stay). */
const DOTTED_NAME =
  /(?<![\w.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9](?![\w-])/g;
const DEVICE_NAME = /(?<![\w-])(?:sd[a-z]{1,3}|hd[a-z]|x?vd[a-z]{1,2})(?![\w-])/g;
/** `14s`, `2m`, `512GiB`, `3rd`: quantities a translation may space or localise, not names. */
const NUMBER_WITH_UNIT = /^\d+[A-Za-z]{1,3}$/;

function looksLikeIdentifier(value: string): boolean {
  if (value.length < 2 || value.length > 100 || !/^[\w.@:/+-]+$/.test(value)) return false;
  if (/^\d+(\.\d+)?[A-Za-z%]{0,3}$/.test(value)) return false;
  return /[-_./:\d]/.test(value);
}

/** `token` occurs in `text` with no letter, digit or underscore glued to either side. */
export function hasToken(text: string, token: string): boolean {
  if (token === '') return false;
  let from = 0;
  for (;;) {
    const at = text.indexOf(token, from);
    if (at < 0) return false;
    const before = text[at - 1];
    const after = text[at + token.length];
    if (!isWordChar(before) && !isWordChar(after)) return true;
    from = at + 1;
  }
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_]/.test(c);
}

/**
 * A severity word (CRITICAL, WARNING, INFO, OK as whole upper-case words) the original had and the
 * rewrite lost, or one the rewrite introduced that is not the message's own severity.
 */
export function severityChange(before: string, after: string, severity: NotifySeverity): string | undefined {
  const was = severityWords(before);
  const now = severityWords(after);
  const dropped = [...was].filter((w) => !now.has(w));
  if (dropped.length > 0) return `severity word dropped: ${dropped.join(', ')}`;
  const added = [...now].filter((w) => !was.has(w) && w !== severity);
  if (added.length > 0) return `severity word introduced: ${added.join(', ')}`;
  return undefined;
}

function severityWords(text: string): Set<NotifySeverity> {
  return new Set(SEVERITY_WORDS.filter((w) => hasToken(text, w)));
}
