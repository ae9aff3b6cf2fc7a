import { pino } from 'pino';
import type { ChannelDeps, RenderedMessage } from '../channel.js';
import { fail } from '../../../sources/source.js';

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
