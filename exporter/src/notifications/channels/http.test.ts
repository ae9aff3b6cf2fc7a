import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  escapeHtml,
  httpRequest,
  isFailure,
  isRetryableStatus,
  joinUrl,
  parseRetryAfter,
  redact,
  replyDetail,
  replyFailure,
  splitEncoded,
  splitText,
  truncate,
  truncateBytes,
  USER_AGENT,
} from './http.js';
import { startStandin, type Standin } from './test-support/standin-server.js';

let standin: Standin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 26, 12, 0, 0);
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });
  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 12:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    for (const v of [null, undefined, '', 'soon', '-5', '12abc'])
      expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});

describe('status classification', () => {
  it('retries rate limits, timeouts and server errors only', () => {
    expect([408, 425, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([300, 301, 400, 401, 403, 404, 410, 413, 422].some(isRetryableStatus)).toBe(false);
  });
  it('drops Retry-After from failures that are not retryable', () => {
    const reply = { status: 400, headers: new Headers({ 'retry-after': '5' }), text: 'bad' };
    expect(replyFailure('X', reply, [])).toEqual({ ok: false, retryable: false, error: 'X: HTTP 400: bad' });
  });
  it('summarises common JSON error bodies', () => {
    expect(replyDetail('{"error":"Unauthorized","errorCode":401,"errorDescription":"no token"}')).toBe(
      'Unauthorized: no token',
    );
    expect(replyDetail('  <html>\n  <b>oops</b> </html> ')).toBe('<html> <b>oops</b> </html>');
    expect(replyDetail('x'.repeat(1000))).toHaveLength(300);
  });
});

describe('redact', () => {
  it('hides secrets in plain and URL-encoded form, leaving the rest', () => {
    const secret = 'a/b c+d';
    const text = `url https://h/x/${encodeURIComponent(secret)} raw ${secret} and ${encodeURI(secret)}`;
    expect(redact(text, [secret, undefined, ''])).toBe('url https://h/x/*** raw *** and ***');
  });
  it('hides a secret that contains another secret', () => {
    expect(redact('https://hook/T1/B2/tok', ['tok', 'https://hook/T1/B2/tok'])).toBe('***');
  });
  it('never leaves a secret behind', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.string(), (before, secret, after) => {
        expect(redact(before + secret + after, [secret])).not.toContain(secret);
      }),
    );
  });
});

describe('text limits', () => {
  it('splits at newlines first, then spaces, then hard', () => {
    expect(splitText('aaa\nbbb\nccc', 7)).toEqual(['aaa\nbbb', 'ccc']);
    expect(splitText('aaaa bbbb cccc', 9)).toEqual(['aaaa bbbb', 'cccc']);
    expect(splitText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(splitText('', 4)).toEqual(['']);
  });
  it('keeps every chunk within the limit and loses only the whitespace it split on', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 3000, unit: 'grapheme' }),
        fc.integer({ min: 2, max: 500 }),
        (text, max) => {
          const chunks = splitText(text, max);
          for (const c of chunks) expect(c.length).toBeLessThanOrEqual(max);
          expect(chunks.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
        },
      ),
    );
  });
  it('never splits a surrogate pair', () => {
    const chunks = splitText('🔴'.repeat(10), 5);
    expect(chunks.every((c) => !/[\ud800-\udbff]$/.test(c) && !/^[\udc00-\udfff]/.test(c))).toBe(true);
    expect(chunks.join('')).toBe('🔴'.repeat(10));
  });
  it('splits so that each escaped chunk fits', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), fc.integer({ min: 20, max: 400 }), (text, max) => {
        const chunks = splitEncoded(text, max, escapeHtml);
        for (const c of chunks) expect(c.length).toBeLessThanOrEqual(max);
      }),
    );
    const amps = splitEncoded('&'.repeat(20_000), 3000, escapeHtml);
    expect(amps.every((c) => c.length <= 3000)).toBe(true);
    expect(amps.join('')).toBe('&amp;'.repeat(20_000));
  });
  it('truncates with a marker, by characters or by UTF-8 bytes', () => {
    expect(truncate('hello world', 8)).toBe('hello w…');
    expect(truncate('hello', 8)).toBe('hello');
    expect(truncateBytes('ééééé', 7, '…')).toBe('éé…');
    fc.assert(
      fc.property(
        fc.string({ maxLength: 500, unit: 'grapheme' }),
        fc.integer({ min: 4, max: 300 }),
        (text, max) => {
          const cut = truncateBytes(text, max);
          expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(Math.max(max, 0));
          expect(cut.includes('\ufffd')).toBe(text.includes('\ufffd'));
        },
      ),
    );
  });
  it('joins base URLs with path prefixes', () => {
    expect(joinUrl('https://h/gotify/', '/message')).toBe('https://h/gotify/message');
    expect(joinUrl('https://h', 'message')).toBe('https://h/message');
  });
});

describe('httpRequest', () => {
  it('sends JSON with the proxmon User-Agent and returns any status as a reply', async () => {
    standin = await startStandin(() => ({ status: 418, body: { error: 'teapot' } }));
    const reply = await httpRequest(fetch, {
      service: 'X',
      url: `${standin.url}/p`,
      json: { a: 1 },
      signal: AbortSignal.timeout(5000),
      secrets: [],
    });
    expect(isFailure(reply)).toBe(false);
    expect(reply).toMatchObject({ status: 418, text: '{"error":"teapot"}' });
    expect(standin.requests[0]).toMatchObject({ method: 'POST', body: '{"a":1}' });
    expect(standin.requests[0]!.headers['user-agent']).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^proxmon\/\d+\.\d+\.\d+/);
  });

  it('does not follow redirects, which could carry a token elsewhere', async () => {
    standin = await startStandin(() => ({
      status: 301,
      headers: { location: 'https://elsewhere/secretpath' },
    }));
    const reply = await httpRequest(fetch, {
      service: 'X',
      url: standin.url,
      json: {},
      signal: AbortSignal.timeout(5000),
      secrets: ['secretpath'],
    });
    expect(isFailure(reply)).toBe(false);
    if (!isFailure(reply)) {
      expect(replyFailure('X', reply, ['secretpath'])).toEqual({
        ok: false,
        retryable: false,
        error: 'X: HTTP 301: redirected to https://elsewhere/***',
      });
    }
    expect(standin.requests).toHaveLength(1);
  });

  it('reads at most 256 KiB of a reply', async () => {
    standin = await startStandin(() => ({ status: 500, body: 'e'.repeat(2_000_000) }));
    const reply = await httpRequest(fetch, {
      service: 'X',
      url: standin.url,
      json: {},
      signal: AbortSignal.timeout(5000),
      secrets: [],
    });
    expect(!isFailure(reply) && reply.text.length).toBe(256 * 1024);
  });
});
