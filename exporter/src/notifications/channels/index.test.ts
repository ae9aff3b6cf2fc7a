import { describe, expect, it } from 'vitest';
import { CHANNEL_TYPES } from './channel.js';
import { CHANNEL_KINDS, isChannelType } from './index.js';

describe('channel registry', () => {
  it('has one kind per channel type, each under its own name', () => {
    expect(Object.keys(CHANNEL_KINDS).sort()).toEqual([...CHANNEL_TYPES].sort());
    for (const type of CHANNEL_TYPES) expect(CHANNEL_KINDS[type].type).toBe(type);
  });

  it('names only secret keys that exist in each config schema', () => {
    for (const type of CHANNEL_TYPES) {
      const kind = CHANNEL_KINDS[type];
      const shape = (kind.config as unknown as { shape?: Record<string, unknown> }).shape;
      expect(shape, `${type} config should be an object schema`).toBeDefined();
      for (const key of kind.secretKeys) expect(Object.keys(shape ?? {}), `${type}.${key}`).toContain(key);
    }
  });

  it('recognises channel types', () => {
    expect(isChannelType('telegram')).toBe(true);
    expect(isChannelType('sms')).toBe(false);
  });
});
