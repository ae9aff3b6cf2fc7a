import { afterEach, describe, expect, it, vi } from 'vitest';
import { inWindow, localTime } from './pipeline.js';

const savedTz = process.env.TZ;
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
  vi.restoreAllMocks();
});

describe('localTime', () => {
  const at = Date.UTC(2026, 10, 26, 23, 5);

  it('reads the host zone from Date, without Intl', () => {
    const formatters = vi.spyOn(Intl, 'DateTimeFormat');
    process.env.TZ = 'Asia/Kolkata';
    expect(localTime(at)).toBe('04:35');
    process.env.TZ = 'UTC';
    expect(localTime(at)).toBe('23:05');
    expect(formatters).not.toHaveBeenCalled();
  });

  it('reads a configured zone through Intl, whatever the host zone', () => {
    process.env.TZ = 'America/New_York';
    expect(localTime(at, 'Asia/Tokyo')).toBe('08:05');
    expect(localTime(at, 'Europe/Berlin')).toBe('00:05');
  });
});

describe('inWindow', () => {
  it('is half-open and crosses midnight when start > end', () => {
    expect(inWindow('22:00', '22:00', '07:00')).toBe(true);
    expect(inWindow('06:59', '22:00', '07:00')).toBe(true);
    expect(inWindow('07:00', '22:00', '07:00')).toBe(false);
    expect(inWindow('12:00', '09:00', '17:00')).toBe(true);
    expect(inWindow('12:00', '12:00', '12:00')).toBe(false);
  });
});
