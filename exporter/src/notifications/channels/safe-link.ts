/**
 * The message's link when it is http(s), else undefined: a `javascript:` or `data:` URL from a
 * template or a webhook payload must never become a clickable anchor.
 */
export function safeHttpLink(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.toString() : undefined;
  } catch {
    return undefined;
  }
}
