import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IPMI_SEVERITY, parseIpmitoolSensor, type IpmiSensor } from './parse.js';

const text = (file: string) => readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');

function sensorsOf(input: string): IpmiSensor[] {
  const r = parseIpmitoolSensor(input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.sensors;
}

describe('parseIpmitoolSensor', () => {
  it('reads the Supermicro X10 sensor list: readings, units, thresholds, CPU2 at nr, na and discrete rows', () => {
    const sensors = sensorsOf(text('ipmitool-sensor-list-supermicro-x10-cpu2-nr.txt'));
    expect(sensors).toHaveLength(56);
    const byName = new Map(sensors.map((s) => [s.sensor, s]));
    expect(byName.get('CPU2 Temp')).toEqual({
      sensor: 'CPU2 Temp',
      kind: 'temperature',
      unit: 'degrees C',
      value: 33,
      status: 'nr',
      thresholds: {
        lowerNonRecoverable: 10,
        lowerCritical: 10,
        lowerNonCritical: 10,
        upperNonCritical: 30,
        upperCritical: 30,
        upperNonRecoverable: 30,
      },
    });
    expect(byName.get('System Temp')?.thresholds).toMatchObject({
      lowerNonRecoverable: -10,
      upperCritical: 85,
    });
    expect(byName.get('FAN1')).toMatchObject({ kind: 'fan', value: 4400, status: 'ok' });
    expect(byName.get('1.5V PCH')).toMatchObject({ kind: 'voltage', value: 1.509, status: 'ok' });
    expect(byName.get('P1-DIMMA2 Temp')).toEqual({
      sensor: 'P1-DIMMA2 Temp',
      kind: 'other',
      unit: '',
      thresholds: {},
    });
    expect(byName.get('PS1 Status')).toEqual({
      sensor: 'PS1 Status',
      kind: 'other',
      unit: 'discrete',
      thresholds: {},
    });
    const count = (pick: (s: IpmiSensor) => boolean) => sensors.filter(pick).length;
    expect(count((s) => s.kind === 'temperature' && s.value !== undefined)).toBe(17);
    expect(count((s) => s.kind === 'fan')).toBe(4);
    expect(count((s) => s.kind === 'voltage')).toBe(15);
    expect(count((s) => s.status !== undefined)).toBe(36);
    expect(sensors.filter((s) => s.status !== undefined && s.status !== 'ok').map((s) => s.sensor)).toEqual([
      'CPU2 Temp',
    ]);
  });

  it('reads power, current, °F, statuses in every spelling, and repeated names (constructed, ipmitool 1.8 formats)', () => {
    const sensors = sensorsOf(
      [
        'Temp             | 40.000     | degrees C  | ok    | na        | 3.000     | 8.000     | 85.000    | 90.000    | na',
        'Temp             | 95.000     | degrees C  | ucr   | na        | 3.000     | 8.000     | 85.000    | 90.000    | na',
        'Inlet Temp       | 104.000    | degrees F  | Upper Non-Critical | na | na | na | 100.000 | na | na',
        'PS1 Input        | 160.000    | Watts      | ok    | na        | na        | na        | na        | na        | na',
        'PSU1_CIn         | 0.480      | Amps       | lnc   | na        | na        | na        | na        | 14.080    | na',
        'CPU_0_DTS_TEMP   | -57.000    | degrees C  | Lower Non-Recoverable | na | na | na | na | na | na',
        'Fan 6 DutyCycle  | 45.864     | percent    | cr    | na        | na        | na        | na        | na        | na',
        'Megacell Status  | na         | discrete   | na    | na        | na        | na        | na        | na        | na',
        'Fan2             | 0.000      | RPM        | ns    | na        | 300.000   | 500.000   | na        | na        | na',
        'Short            | 1.000      | Volts      | ok',
      ].join('\n'),
    );
    expect(sensors.map((s) => [s.sensor, s.kind, s.value, s.status])).toEqual([
      ['Temp', 'temperature', 40, 'ok'],
      ['Temp #2', 'temperature', 95, 'cr'],
      ['Inlet Temp', 'temperature', 40, 'nc'],
      ['PS1 Input', 'power', 160, 'ok'],
      ['PSU1_CIn', 'current', 0.48, 'nc'],
      ['CPU_0_DTS_TEMP', 'temperature', -57, 'nr'],
      ['Fan 6 DutyCycle', 'other', 45.864, 'cr'],
      ['Megacell Status', 'other', undefined, undefined],
      ['Fan2', 'fan', 0, undefined],
      ['Short', 'voltage', 1, 'ok'],
    ]);
    expect(sensors[2]?.thresholds).toEqual({ upperNonCritical: 37.778 });
  });

  it('maps statuses to the ordinal severity (ok 0, nc warning 2, cr and nr critical 3)', () => {
    expect(IPMI_SEVERITY).toEqual({ ok: 0, nc: 2, cr: 3, nr: 3 });
  });

  it('is empty for empty output and a parse error for text that is not a sensor table', () => {
    expect(parseIpmitoolSensor('')).toEqual({ ok: true, value: { sensors: [] } });
    expect(parseIpmitoolSensor('Get Device ID command failed\nUnable to open SDR')).toMatchObject({
      ok: false,
      error: { kind: 'parse' },
    });
    // A truncated last line is skipped; the rest is kept.
    expect(sensorsOf('FAN1 | 4400.000 | RPM | ok | na\nFAN2 | 43')).toHaveLength(1);
  });

  it('never throws on random or truncated output', () => {
    const recorded = text('ipmitool-sensor-list-supermicro-x10-cpu2-nr.txt');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(fc.array(fc.string(), { maxLength: 12 }).map((f) => f.join('|'))).map((l) => l.join('\n')),
          fc.nat(recorded.length).map((n) => recorded.slice(0, n)),
        ),
        (input) => {
          const r = parseIpmitoolSensor(input);
          if (!r.ok) {
            expect(r.error.kind).toBe('parse');
            return;
          }
          for (const s of r.value.sensors) {
            expect(s.sensor.length).toBeGreaterThan(0);
            if (s.value !== undefined) expect(Number.isFinite(s.value)).toBe(true);
          }
        },
      ),
    );
  });
});
