import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProcStat } from '../../sources/cpu/parse.js';
import { cpuUsageRatio } from '../../sources/cpu/usage.js';
import type { CpuSnapshot } from '../../sources/cpu/index.js';
import { parseSensorsJson } from '../../sources/sensors/parse.js';
import type { SensorChipsSnapshot } from '../../sources/hwmon/types.js';
import { SnapshotCache } from '../../snapshots.js';
import { Sampler } from '../samples.js';
import type { ThresholdOverrides } from '../thresholds.js';
import { cpuTemperatureCelsius, cpuUsagePercent } from '../measures.js';
import { checkCpu, sustainedLevel } from './cpu.js';
import {
  consistent,
  hostInputs,
  NOW,
  rowsOf,
  run,
  samplerWith,
  srcFile,
  type HostInputsOptions,
} from './fixtures/host-category-inputs.js';

function ok<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** Two /proc/stat reads of a Debian 12 VM about 2 s apart: 12 busy of 220 ticks, 5.45 %. */
function recordedCpu(): CpuSnapshot {
  const before = ok(parseProcStat(srcFile('sources/cpu/fixtures/proc-stat-debian12-vm-2cpu.txt')));
  const after = ok(parseProcStat(srcFile('sources/cpu/fixtures/proc-stat-debian12-vm-2cpu-later.txt')));
  return { ...after, usageRatio: cpuUsageRatio(before.total, after.total) };
}
const sensors = (file: string): SensorChipsSnapshot =>
  ok(parseSensorsJson(srcFile(`sources/sensors/fixtures/${file}`)));

/**
 * What the cycle's sampler holds after the host ran like this for 5 minutes: the recorded values
 * fed every 5 s through the same readers the cycle uses.
 */
function fedInputs(options: HostInputsOptions & { thresholds?: ThresholdOverrides }) {
  const cache = new SnapshotCache(() => NOW);
  for (const [name, value] of Object.entries(options.fresh ?? {})) {
    cache.register(name, 60_000);
    cache.recordSuccess(name, value, 0.01);
  }
  const sampler = new Sampler();
  for (let t = NOW - 300_000; t <= NOW; t += 5000) {
    sampler.add('cpu_usage', t, cpuUsagePercent(cache));
    sampler.add('cpu_temperature', t, cpuTemperatureCelsius(cache));
  }
  return hostInputs({ ...options, samples: sampler });
}

describe('checkCpu from recorded inputs', () => {
  const fresh = { cpu: recordedCpu(), sensors: sensors('sensors-j-coretemp-nvme-acpitz.json') };

  it('is OK with the default thresholds (5.45 % busy, coretemp hottest 27 °C)', () => {
    const e = checkCpu(fedInputs({ fresh }));
    expect(rowsOf(e)).toEqual({ cpu_usage: 'OK', cpu_temperature: 'OK' });
    expect(e.rows.map((r) => r.value)).toEqual([5.5, 27]);
    expect(e.findings).toEqual([]);
  });

  it('usage_warning and usage_critical decide the usage level', () => {
    const warn = checkCpu(fedInputs({ fresh, thresholds: { cpu: { usage_warning: 5, usage_critical: 6 } } }));
    expect(warn.findings).toEqual([
      expect.objectContaining({
        errorKey: 'cpu_usage',
        category: 'cpu',
        check: 'cpu_usage',
        severity: 'WARNING',
      }),
    ]);
    expect(warn.rows[0]!.reason).toBe('CPU usage 5.5%; at or above 5% (warning) for most of 300 s');
    const crit = checkCpu(fedInputs({ fresh, thresholds: { cpu: { usage_warning: 4, usage_critical: 5 } } }));
    expect(crit.findings.map((f) => [f.errorKey, f.severity])).toEqual([['cpu_usage', 'CRITICAL']]);
    expect(consistent(crit)).toBe(true);
  });

  it('temperature_warning and temperature_critical decide the temperature level, CRITICAL included', () => {
    const warn = checkCpu(
      fedInputs({ fresh, thresholds: { cpu: { temperature_warning: 27, temperature_critical: 28 } } }),
    );
    expect(warn.findings.map((f) => [f.errorKey, f.severity])).toEqual([['cpu_temperature', 'WARNING']]);
    const crit = checkCpu(
      fedInputs({ fresh, thresholds: { cpu: { temperature_warning: 26, temperature_critical: 27 } } }),
    );
    expect(crit.findings.map((f) => [f.errorKey, f.severity])).toEqual([['cpu_temperature', 'CRITICAL']]);
    expect(crit.rows[1]!.reason).toBe(
      'hottest CPU sensor 27 °C; at or above 27 °C (critical) for most of 180 s',
    );
  });

  it('judges the CPU package, not a motherboard input floating at 120 °C (ASRock nct6798)', () => {
    const e = checkCpu(
      fedInputs({ fresh: { cpu: recordedCpu(), sensors: sensors('sensors-j-asrock-nct6798-alarms.json') } }),
    );
    expect(e.rows[1]).toMatchObject({ check: 'cpu_temperature', status: 'OK', value: 37 });
  });
});

describe('checkCpu hysteresis over the sampler', () => {
  const inputs = (usage: number[], thresholds?: ThresholdOverrides) =>
    hostInputs({
      fresh: { cpu: { ...recordedCpu(), usageRatio: usage.at(-1)! / 100 } },
      absent: ['sensors', 'hwmon'],
      samples: samplerWith({ cpu_usage: usage }),
      thresholds,
    });
  const usage = (samples: number[], thresholds?: ThresholdOverrides) =>
    checkCpu(inputs(samples, thresholds)).rows[0]!.status;

  it('WARNING at 90 % and CRITICAL at 97 % sustained for 5 minutes', () => {
    expect(usage(run(90, 300))).toBe('WARNING');
    expect(usage(run(97, 300))).toBe('CRITICAL');
  });

  it('a single spike, or high usage seen for only a minute after start, is not an alert', () => {
    expect(usage([...run(10, 290), 100])).toBe('OK');
    expect(usage(run(99, 60))).toBe('OK');
  });

  it('sustained_seconds sets how long usage must stay high', () => {
    const twoMinutes = [...run(10, 180), ...run(90, 120)];
    expect(usage(twoMinutes)).toBe('OK');
    expect(usage(twoMinutes, { cpu: { sustained_seconds: 100 } })).toBe('WARNING');
  });

  it('a raised alert holds above usage_recovery and clears below it', () => {
    const easing = [...run(96, 300), ...run(80, 120)];
    const held = checkCpu(inputs(easing));
    expect(held.rows[0]).toMatchObject({
      status: 'WARNING',
      reason: 'CPU usage 80%; was high, alert held until it drops below 75%',
    });
    expect(held.findings[0]!.details).toMatchObject({ held: true, recovery: 75 });
    expect(usage(easing, { cpu: { usage_recovery: 82 } })).toBe('OK');
    expect(usage([...run(96, 300), ...run(70, 120)])).toBe('OK');
  });

  it('temperature_recovery and temperature_sustained_seconds are read for the temperature', () => {
    const temps = (series: number[], thresholds?: ThresholdOverrides) =>
      checkCpu(
        hostInputs({
          fresh: { cpu: recordedCpu(), sensors: sensors('sensors-j-coretemp-nvme-acpitz.json') },
          samples: samplerWith({ cpu_temperature: series }),
          thresholds,
        }),
      ).rows[1]!.status;
    expect(temps(run(92, 180))).toBe('CRITICAL');
    expect(temps([...run(40, 120), ...run(85, 60)])).toBe('OK');
    expect(temps([...run(40, 120), ...run(85, 60)], { cpu: { temperature_sustained_seconds: 60 } })).toBe(
      'WARNING',
    );
    const cooling = [...run(85, 180), ...run(78, 100)];
    expect(temps(cooling)).toBe('WARNING');
    expect(temps(cooling, { cpu: { temperature_recovery: 79 } })).toBe('OK');
  });

  it('the first /proc/stat read has no usage yet: OK, never a guess', () => {
    const e = checkCpu(hostInputs({ fresh: { cpu: { ...recordedCpu(), usageRatio: undefined } } }));
    expect(e.rows[0]).toMatchObject({ check: 'cpu_usage', status: 'OK' });
  });
});

describe('checkCpu without inputs', () => {
  it('is UNKNOWN when the cpu and sensor sources have no fresh value', () => {
    const e = checkCpu(hostInputs({ missing: ['cpu', 'sensors', 'hwmon'] }));
    expect(e.unknown).toMatch(/cpu, sensors and hwmon/);
    expect(e.findings).toEqual([]);
  });

  it('a host without CPU sensors (a VM: hwmon and sensors absent) gets an INFO temperature row', () => {
    const e = checkCpu(hostInputs({ fresh: { cpu: recordedCpu() }, absent: ['sensors', 'hwmon'] }));
    expect(e.unknown).toBeUndefined();
    expect(rowsOf(e)).toEqual({ cpu_usage: 'OK', cpu_temperature: 'INFO' });
    expect(e.findings).toEqual([]);
  });

  it('a failing sensors source makes only the temperature row UNKNOWN', () => {
    const e = checkCpu(hostInputs({ fresh: { cpu: recordedCpu() }, missing: ['sensors', 'hwmon'] }));
    expect(rowsOf(e)).toEqual({ cpu_usage: 'OK', cpu_temperature: 'UNKNOWN' });
  });
});

describe('sustainedLevel', () => {
  const limits = { warning: 85, critical: 95, recovery: 75, seconds: 300 };
  const series = fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 200 });

  it('never throws; undefined only without recent samples; all-critical is CRITICAL, all-low is OK', () => {
    fc.assert(
      fc.property(series, fc.integer({ min: 1, max: 30 }), (values, step) => {
        const level = sustainedLevel(samplerWith({ cpu_usage: values }, step), 'cpu_usage', limits, NOW);
        expect(level).toBeDefined();
        const covered = (values.length - 1) * step >= 240;
        if (covered && values.every((v) => v >= 95)) expect(level!.status).toBe('CRITICAL');
        if (values.every((v) => v < 75)) expect(level!.status).toBe('OK');
        if (level!.held) expect(level!.status).toBe('WARNING');
      }),
    );
  });

  it('is undefined when the newest sample is older than the window', () => {
    const sampler = new Sampler();
    sampler.add('cpu_usage', NOW - 301_000, 99);
    expect(sustainedLevel(sampler, 'cpu_usage', limits, NOW)).toBeUndefined();
  });
});
