import { describe, expect, it } from 'vitest';
import { createClientIpResolver } from './client-ip.js';

describe('client IP', () => {
  const resolve = createClientIpResolver(['10.0.0.0/8', '::1', '2001:db8::/32']);

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(resolve('203.0.113.5', '198.51.100.1')).toBe('203.0.113.5');
    expect(resolve('::ffff:203.0.113.5', '198.51.100.1')).toBe('203.0.113.5');
  });

  it('takes the right-most untrusted hop behind trusted proxies', () => {
    expect(resolve('10.0.0.2', '198.51.100.7, 203.0.113.9')).toBe('203.0.113.9');
    expect(resolve('10.0.0.2', ['198.51.100.7', '203.0.113.9, 10.1.1.1'])).toBe('203.0.113.9');
    expect(resolve('::1', '2001:db8::5, 198.51.100.3')).toBe('198.51.100.3');
  });

  it('stops at garbage and keeps the last address it could vouch for', () => {
    expect(resolve('10.0.0.2', 'not-an-ip')).toBe('10.0.0.2');
    expect(resolve('10.0.0.2', '198.51.100.7, junk, 10.0.0.3')).toBe('10.0.0.3');
    expect(resolve('10.0.0.2', undefined)).toBe('10.0.0.2');
  });

  it('spells each address one way', () => {
    expect(resolve('10.0.0.2', '2001:DB8:0:0:0:0:0:7')).toBe('2001:db8::7');
    expect(resolve('::ffff:10.0.0.2', '::ffff:198.51.100.4')).toBe('198.51.100.4');
  });

  it('a chain of only trusted hops yields the left-most', () => {
    expect(resolve('10.0.0.2', '10.0.0.9, 10.0.0.8')).toBe('10.0.0.9');
  });
});
