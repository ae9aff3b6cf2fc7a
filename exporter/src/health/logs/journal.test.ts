import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJournalJson, parseJournalLine } from './journal.js';

const text = (file: string) => readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);

describe('parseJournalJson', () => {
  it('reads every kind of MESSAGE journalctl 252 prints (journalctl-json-edge-cases.jsonl)', () => {
    const { entries, malformed } = parseJournalJson(text('journalctl-json-edge-cases.jsonl'));
    expect(malformed).toBe(0);
    expect(entries.map((e) => [e.timeMs - T0, e.priority, e.identifier, e.message])).toEqual([
      [0, 3, 'kernel', 'plain message'],
      // An array of bytes: invalid UTF-8 becomes U+FFFD, the rest stays.
      [1, 4, 'sshd', 'Invalid \uFFFD\uFFFD!'],
      // null: a field over 4096 bytes, left out without --all.
      [2, 2, 'kernel', undefined],
      // A field present twice: an array of strings, the first kept.
      [3, 3, 'pvedaemon', 'second'],
      [4, 4, 'kernel', 'line one\nline two'],
      [5, undefined, 'noprio', 'an entry without a priority'],
      [6, 0, 'kernel', 'Kernel panic - not syncing: Fatal exception'],
    ]);
    expect(entries[1]).toMatchObject({
      unit: 'ssh.service',
      pid: 812,
      hostname: 'pve1',
      bootId: '5f2c9e0a3b7d4c1e8a6f0b2d4e6a8c0e',
    });
    expect(entries[0]!.cursor).toMatch(/^s=[0-9a-f]{32};i=1;b=5f2c9e0a3b7d4c1e8a6f0b2d4e6a8c0e;/);
    expect(new Set(entries.map((e) => e.cursor)).size).toBe(7);
  });

  it('reads authentication failures, the binary user name included (journalctl-json-auth-failures.jsonl)', () => {
    const { entries, malformed } = parseJournalJson(text('journalctl-json-auth-failures.jsonl'));
    expect(malformed).toBe(0);
    expect(entries).toHaveLength(17);
    expect(
      entries.filter((e) => e.identifier === 'sshd' && /^Failed password/.test(e.message ?? '')),
    ).toHaveLength(4);
    expect(entries.find((e) => e.message?.includes('\uFFFD'))?.message).toBe(
      'Invalid user \uFFFD\uFFFDa from 203.0.113.7 port 52201',
    );
    expect(entries.filter((e) => e.priority !== undefined && e.priority <= 4).map((e) => e.message)).toEqual([
      'authentication failure; rhost=::ffff:203.0.113.7 user=root@pam msg=Authentication failure',
      'authentication failure; rhost=::ffff:203.0.113.7 user=root@pam msg=Authentication failure',
      'authentication failure; rhost=::ffff:203.0.113.7 user=root@pam msg=Authentication failure',
    ]);
    expect(entries[0]).toMatchObject({ identifier: 'sshd', pid: 40211, unit: 'ssh.service', priority: 6 });
  });

  it('skips and counts malformed lines', () => {
    const good = text('journalctl-json-edge-cases.jsonl').split('\n')[0]!;
    const input = [
      good,
      '',
      'not json',
      '[1,2,3]',
      'null',
      '{"MESSAGE":"no cursor","__REALTIME_TIMESTAMP":"1"}',
      '{"__CURSOR":"c","__REALTIME_TIMESTAMP":"12ab"}',
      '{"__CURSOR":"c","__REALTIME_TIMESTAMP":"99999999999999999999"}',
      '{"__CURSOR":"c","__REALTIME_TIMESTAMP":"1795687200000000","PRIORITY":"9","_PID":"x","MESSAGE":[]}',
      good.slice(0, 40),
      '-- No entries --',
    ].join('\n');
    const { entries, malformed } = parseJournalJson(input);
    expect(malformed).toBe(7);
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({
      cursor: 'c',
      timeMs: T0,
      priority: undefined,
      pid: undefined,
      message: undefined,
    });
  });

  it('never throws, and every line is either an entry or counted malformed', () => {
    const sample = text('journalctl-json-edge-cases.jsonl').split('\n').filter(Boolean);
    const jsonValue = fc.jsonValue().map((v) => JSON.stringify(v));
    const mutated = fc
      .tuple(fc.constantFrom(...sample), fc.nat(), fc.string({ maxLength: 5 }))
      .map(([l, n, s]) => l.slice(0, n % (l.length + 1)) + s + l.slice(n % (l.length + 1)));
    const field = fc.oneof(
      fc.string(),
      fc.array(fc.integer({ min: -5, max: 300 })),
      fc.constant(null),
      fc.nat(),
    );
    const entry = fc
      .record({ __CURSOR: field, __REALTIME_TIMESTAMP: field, MESSAGE: field, PRIORITY: field, _PID: field })
      .map((o) => JSON.stringify(o));
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), jsonValue, mutated, entry), { maxLength: 20 }), (lines) => {
        const input = lines.join('\n');
        const { entries, malformed } = parseJournalJson(input);
        const nonBlank = input.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('-- ')).length;
        expect(entries.length + malformed).toBe(nonBlank);
        for (const e of entries) {
          expect(typeof e.cursor).toBe('string');
          expect(Number.isSafeInteger(e.timeMs)).toBe(true);
          if (e.priority !== undefined) expect(e.priority).toBeLessThanOrEqual(7);
          if (e.message !== undefined) expect(typeof e.message).toBe('string');
        }
      }),
    );
  });

  it('decodes byte arrays and keeps the first of repeated values', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        const line = JSON.stringify({ __CURSOR: 'c', __REALTIME_TIMESTAMP: '1000', MESSAGE: [...bytes] });
        expect(parseJournalLine(line)?.message).toBe(Buffer.from(bytes).toString('utf8'));
      }),
    );
    const line = JSON.stringify({ __CURSOR: 'c', __REALTIME_TIMESTAMP: '1000', MESSAGE: [[104, 105], 'x'] });
    expect(parseJournalLine(line)?.message).toBe('hi');
  });
});
