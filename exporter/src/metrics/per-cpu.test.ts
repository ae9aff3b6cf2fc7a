import { describe, expect, it } from 'vitest';
import { AUTO_PER_CPU_MAX, perCpuEnabled } from './per-cpu.js';

describe('perCpuEnabled', () => {
  it('follows an explicit setting whatever the host', () => {
    expect(perCpuEnabled(true, 256)).toBe(true);
    expect(perCpuEnabled(false, 2)).toBe(false);
    expect(perCpuEnabled(undefined, 2)).toBe(false);
  });

  it('auto: only hosts with at most AUTO_PER_CPU_MAX CPUs, and never before the CPU count is known', () => {
    expect(perCpuEnabled('auto', AUTO_PER_CPU_MAX)).toBe(true);
    expect(perCpuEnabled('auto', AUTO_PER_CPU_MAX + 1)).toBe(false);
    expect(perCpuEnabled('auto', undefined)).toBe(false);
  });
});
