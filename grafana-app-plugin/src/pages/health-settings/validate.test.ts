import type { ThresholdEntry } from './api';
import { categoryTitle, thresholdLabel } from './labels';
import {
  checkSection,
  formatValue,
  humanHours,
  parseDismissHours,
  parseThreshold,
  validateReason,
  validateResourceName,
} from './validate';

const pct = (value: number, def = value): ThresholdEntry => ({
  value,
  default: def,
  customised: value !== def,
  unit: '%',
  min: 1,
  max: 100,
  description: 'd',
});

describe('parseThreshold', () => {
  it('accepts a value in range and refuses one outside with the unit', () => {
    expect(parseThreshold(pct(85), '90')).toEqual({ ok: true, value: 90 });
    expect(parseThreshold(pct(85), '150')).toEqual({ ok: false, error: 'Must be between 1% and 100%' });
    expect(parseThreshold(pct(85), '0')).toEqual({ ok: false, error: 'Must be between 1% and 100%' });
    expect(parseThreshold(pct(85), '')).toEqual({ ok: false, error: 'Enter a number' });
    expect(parseThreshold(pct(85), 'abc')).toEqual({ ok: false, error: 'Enter a number' });
  });

  it('wants whole numbers for counts, days and times, and allows fractions elsewhere', () => {
    const days: ThresholdEntry = { ...pct(30), unit: 'days', max: 3650 };
    expect(parseThreshold(days, '1.5')).toEqual({ ok: false, error: 'Whole numbers only' });
    expect(parseThreshold(pct(85), '85.5')).toEqual({ ok: true, value: 85.5 });
    const celsius: ThresholdEntry = { ...pct(80), unit: '°C', min: 20, max: 150 };
    expect(parseThreshold(celsius, '10')).toEqual({ ok: false, error: 'Must be between 20 °C and 150 °C' });
  });
});

describe('checkSection', () => {
  const cpu = { usage_warning: pct(85), usage_critical: pct(95), usage_recovery: pct(75) };

  it('lists only the changed keys', () => {
    expect(checkSection(cpu, { usage_warning: '80', usage_critical: '95' })).toEqual({
      values: { usage_warning: 80, usage_critical: 95, usage_recovery: 75 },
      changes: { usage_warning: 80 },
      errors: {},
    });
  });

  it('puts an ordering error on the field that was edited', () => {
    expect(checkSection(cpu, { usage_warning: '96' }).errors).toEqual({
      usage_warning: 'Must not be above usage_critical (95)',
    });
    expect(checkSection(cpu, { usage_critical: '80' }).errors).toEqual({
      usage_critical: 'Must be at least usage_warning (85)',
    });
    expect(checkSection(cpu, { usage_recovery: '85' }).errors).toEqual({
      usage_recovery: 'Must be below usage_warning (85)',
    });
  });

  it('blames the dependent key when the stored values are already out of order', () => {
    const broken = { usage_warning: pct(90), usage_critical: pct(80) };
    expect(checkSection(broken, {}).errors).toEqual({
      usage_critical: 'Must be at least usage_warning (90)',
    });
  });

  it('handles the network pair named latency_warning_ms / latency_critical_ms', () => {
    const ms = (v: number): ThresholdEntry => ({ ...pct(v), unit: 'ms', max: 10_000 });
    const net = { latency_warning_ms: ms(100), latency_critical_ms: ms(300) };
    expect(checkSection(net, { latency_warning_ms: '400' }).errors).toEqual({
      latency_warning_ms: 'Must not be above latency_critical_ms (300)',
    });
  });

  it('keeps a parse error over an ordering one', () => {
    expect(checkSection(cpu, { usage_warning: '500' }).errors).toEqual({
      usage_warning: 'Must be between 1% and 100%',
    });
  });
});

describe('suppression and exclusion fields', () => {
  it('parses dismissal hours within 1 hour and ten years', () => {
    expect(parseDismissHours('72')).toEqual({ ok: true, value: 72 });
    expect(parseDismissHours('0')).toMatchObject({ ok: false });
    expect(parseDismissHours('87601')).toMatchObject({ ok: false });
    expect(parseDismissHours('1.5')).toEqual({ ok: false, error: 'Whole hours only' });
    expect(parseDismissHours(' ')).toEqual({ ok: false, error: 'Enter a number of hours' });
  });

  it('says hours in words', () => {
    expect(humanHours(1)).toBe('1 hour');
    expect(humanHours(24)).toBe('1 day');
    expect(humanHours(30)).toBe('1 day 6 hours');
    expect(humanHours(72)).toBe('3 days');
    expect(humanHours(168)).toBe('1 week');
    expect(humanHours(720)).toBe('30 days');
    expect(humanHours(8760)).toBe('1 year');
  });

  it('checks resource names like the exporter', () => {
    expect(validateResourceName('eth0')).toBeUndefined();
    expect(validateResourceName('local-lvm')).toBeUndefined();
    expect(validateResourceName('nfs:backup@2')).toBeUndefined();
    expect(validateResourceName('')).toBe('Enter or pick a name');
    expect(validateResourceName('a/b')).toMatch(/letters, digits/);
    expect(validateResourceName('-x')).toMatch(/letters, digits/);
    expect(validateResourceName('x'.repeat(65))).toMatch(/letters, digits/);
    expect(validateReason('x'.repeat(501))).toBe('At most 500 characters');
  });
});

describe('labels', () => {
  it('names categories, thresholds and values', () => {
    expect(categoryTitle('cpu')).toBe('CPU');
    expect(categoryTitle('memory')).toBe('Memory');
    expect(thresholdLabel('pve_storage_warning')).toBe('PVE storage warning');
    expect(thresholdLabel('latency_warning_ms')).toBe('Latency warning');
    expect(formatValue(85, '%')).toBe('85%');
    expect(formatValue(4, 'ratio')).toBe('4×');
    expect(formatValue(15, 'count')).toBe('15');
    expect(formatValue(300, 's')).toBe('300 s');
  });
});
