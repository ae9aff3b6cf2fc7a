// Checks the forms run before sending; each returns an error message, or undefined when the value is fine.
// They mirror the exporter's schemas so the admin sees the problem next to the field, not as a 400.

/** A channel name (CHANNEL_NAME in exporter/src/notifications/settings.ts). */
export const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export function checkChannelName(v: string): string | undefined {
  if (v.trim() === '') {
    return 'A name is required';
  }
  return CHANNEL_NAME.test(v)
    ? undefined
    : 'Lowercase letters, digits, - and _ (up to 40), starting with a letter or digit';
}

/** 24-hour HH:MM, as quiet hours and the digest time take it. */
export function checkHhmm(v: string): string | undefined {
  if (v.trim() === '') {
    return 'A time is required';
  }
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(v) ? undefined : 'Use 24-hour HH:MM, e.g. 07:30';
}

/** An IANA time zone this browser knows (the exporter resolves it the same way, through Intl). */
export function checkTimeZone(v: string): string | undefined {
  const tz = v.trim();
  if (tz === '') {
    return undefined;
  }
  if (tz.length > 64) {
    return 'At most 64 characters';
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return undefined;
  } catch {
    return 'Not a known time zone; use an IANA name such as Europe/Berlin or UTC';
  }
}

/** An http:// or https:// URL. */
export function checkHttpUrl(v: string): string | undefined {
  let u: URL;
  try {
    u = new URL(v.trim());
  } catch {
    return 'Not a URL; e.g. https://example.org/hook';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return 'Must be an http:// or https:// URL';
  }
  return undefined;
}

/** A whole number in [min, max]. */
export function checkInt(v: string, min: number, max: number): string | undefined {
  if (!/^-?\d+$/.test(v.trim())) {
    return 'A whole number is required';
  }
  const n = Number(v);
  return n < min || n > max ? `Between ${min} and ${max}` : undefined;
}

/** A plain e-mail address (the email channel's `address`). */
export const checkEmail = (v: string): string | undefined =>
  /^[^\s@<>",;]+@[^\s@<>",;]+$/.test(v.trim())
    ? undefined
    : `${v.trim() || 'empty'}: not a plain address like ops@example.org`;

/** Splits a list typed one per line or separated by commas. */
export const splitList = (v: string): string[] =>
  v
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
