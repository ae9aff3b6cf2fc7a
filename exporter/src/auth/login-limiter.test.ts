import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../store/db.js';
import { LoginLimiter } from './login-limiter.js';

const limits = { windowSeconds: 60, maxFailuresPerIp: 3, maxFailuresPerUser: 2 };

describe('LoginLimiter', () => {
  it('limits per IP and per user, says when to retry, and survives a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxmon-limit-'));
    let now = 1_000_000;
    const limiter = new LoginLimiter(openStore(dir), limits, () => now);
    limiter.recordFailure('192.0.2.1', 'alice');
    expect(limiter.check('192.0.2.1', 'alice')).toEqual({ limited: false });
    now += 10_000;
    limiter.recordFailure('192.0.2.2', 'Alice');
    expect(limiter.check('192.0.2.9', 'alice')).toEqual({ limited: true, retryAfterSeconds: 50 });
    // A new process over the same database: still limited.
    const reopened = new LoginLimiter(openStore(dir), limits, () => now);
    expect(reopened.check('192.0.2.9', 'ALICE').limited).toBe(true);
    reopened.clearUser('alice');
    expect(reopened.check('192.0.2.9', 'alice').limited).toBe(false);
    for (const user of ['a', 'b', 'c']) reopened.recordFailure('192.0.2.3', user);
    expect(reopened.check('192.0.2.3', 'd').limited).toBe(true);
    now += 61_000;
    expect(reopened.check('192.0.2.3', 'd').limited).toBe(false);
  });
});
