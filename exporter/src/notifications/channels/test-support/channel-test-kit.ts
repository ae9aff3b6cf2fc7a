import { pino } from 'pino';
import { expect, it } from 'vitest';
import type { Channel, ChannelDeps, DeliveryResult, RenderedMessage } from '../channel.js';
import { fail } from '../../../sources/source.js';
import type { Script } from './standin-server.js';

/** Deps for channel tests: the real global fetch, an exec that is never expected to run, a silent logger. */
export function testDeps(overrides: Partial<ChannelDeps> = {}): ChannelDeps {
  return {
    fetch: globalThis.fetch,
    exec: () => Promise.resolve(fail('absent', 'exec not available in this test')),
    logger: pino({ level: 'silent' }),
    ...overrides,
  };
}

/** A typical rendered event; tests override what they exercise. */
export function sampleMessage(overrides: Partial<RenderedMessage> = {}): RenderedMessage {
  return {
    title: 'Backup failed: VM 101 (web01)',
    body: 'vzdump of VM 101 failed after 2m 14s.\nReason: storage "backup-nfs" is not online',
    severity: 'CRITICAL',
    type: 'backup_fail',
    group: 'backup',
    fields: [
      { label: 'VM', value: '101 (web01)' },
      { label: 'Storage', value: 'backup-nfs' },
    ],
    host: 'pve1',
    at: Date.UTC(2026, 10, 26, 3, 0, 0),
    ...overrides,
  };
}

/** Options for one send: a generous deadline unless the test wants a short one. */
export function sendOptions(timeoutMs = 5_000, idempotencyKey = 'delivery-1') {
  return { signal: AbortSignal.timeout(timeoutMs), idempotencyKey };
}

/** Lines of a given length, for split tests. */
export function longBody(lines: number, lineLength = 100): string {
  return Array.from(
    { length: lines },
    (_, i) => `${String(i).padStart(4, '0')} ${'x'.repeat(lineLength - 5)}`,
  ).join('\n');
}

/** One way a service can fail, and the exact result the channel must turn it into. */
export interface FailureCase<K extends string> {
  /** Test title. */
  name: string;
  /** What the stand-in does with the next request. */
  script: K;
  expected: DeliveryResult;
  /** Deadline of the send; short where the service hangs. */
  timeoutMs?: number;
}

/**
 * The failures every HTTP channel shares: a 5xx is worth retrying, and a service that never answers
 * is given up on when the attempt's deadline fires (and retried later). `service` is the channel's
 * name in its error texts.
 */
export function commonFailures<K extends string>(
  service: string,
  scripts: { serverError: K; hang: K },
  serverError: string,
): Array<FailureCase<K>> {
  return [
    {
      name: 'treats 5xx as retryable',
      script: scripts.serverError,
      expected: { ok: false, retryable: true, error: serverError },
    },
    {
      name: 'gives up on a hung service when the signal fires',
      script: scripts.hang,
      expected: { ok: false, retryable: true, error: `${service}: request aborted (deadline passed)` },
      timeoutMs: 300,
    },
  ];
}

/** One test per case: the stand-in scripted to fail that way, one send, the result compared exactly. */
export function itTurnsFailuresIntoResults<K extends string>(
  cases: ReadonlyArray<FailureCase<K>>,
  setup: () => Promise<{ standin: { fail: Script<K> }; channel: Channel }>,
): void {
  for (const { name, script, expected, timeoutMs } of cases) {
    it(name, async () => {
      const { standin, channel } = await setup();
      standin.fail.push(script);
      expect(await channel.send(sampleMessage(), sendOptions(timeoutMs))).toEqual(expected);
    });
  }
}

/**
 * A fetch that fails the way a careless error path would leak secrets: its error names the URL and
 * every header it was given. Channels must redact both.
 */
export const echoingFetch: typeof fetch = (input, init) =>
  Promise.reject(
    new Error(`cannot reach ${String(input)} with headers ${JSON.stringify(init?.headers ?? {})}`),
  );
