import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import { IPMI_SOURCE, type IpmiSnapshot } from '../sources/ipmi/index.js';
import { parseIpmitoolSensor } from '../sources/ipmi/parse.js';
import { metricNames, registerIpmiMetrics } from './ipmi.js';

function snapshot(text: string): IpmiSnapshot {
  const r = parseIpmitoolSensor(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function render(value: IpmiSnapshot | undefined): Promise<string[]> {
  const cache = new SnapshotCache(() => 0);
  cache.register(IPMI_SOURCE, 180_000);
  if (value) cache.recordSuccess(IPMI_SOURCE, value, 0.01);
  const registry = new Registry();
  registerIpmiMetrics(registry, cache);
  expect((await registry.getMetricsAsJSON()).map((m) => m.name)).toEqual([...metricNames]);
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('IPMI metrics', () => {
  it('renders the Supermicro X10 list: readings by kind, severity only where there is a threshold status', async () => {
    const lines = await render(
      snapshot(
        readFileSync(
          new URL(
            '../sources/ipmi/fixtures/ipmitool-sensor-list-supermicro-x10-cpu2-nr.txt',
            import.meta.url,
          ),
          'utf8',
        ),
      ),
    );
    const of = (name: string) => lines.filter((l) => l.startsWith(`${name}{`));
    expect(of('proxmon_ipmi_temperature_celsius')).toEqual([
      'proxmon_ipmi_temperature_celsius{sensor="CPU1 Temp"} 29',
      'proxmon_ipmi_temperature_celsius{sensor="CPU2 Temp"} 33',
      'proxmon_ipmi_temperature_celsius{sensor="PCH Temp"} 32',
      'proxmon_ipmi_temperature_celsius{sensor="System Temp"} 30',
      'proxmon_ipmi_temperature_celsius{sensor="Peripheral Temp"} 34',
      'proxmon_ipmi_temperature_celsius{sensor="Vcpu1VRM Temp"} 28',
      'proxmon_ipmi_temperature_celsius{sensor="Vcpu2VRM Temp"} 34',
      'proxmon_ipmi_temperature_celsius{sensor="VmemABVRM Temp"} 29',
      'proxmon_ipmi_temperature_celsius{sensor="VmemCDVRM Temp"} 28',
      'proxmon_ipmi_temperature_celsius{sensor="VmemEFVRM Temp"} 31',
      'proxmon_ipmi_temperature_celsius{sensor="VmemGHVRM Temp"} 30',
      'proxmon_ipmi_temperature_celsius{sensor="P1-DIMMA1 Temp"} 27',
      'proxmon_ipmi_temperature_celsius{sensor="P1-DIMMB1 Temp"} 27',
      'proxmon_ipmi_temperature_celsius{sensor="P2-DIMME1 Temp"} 29',
      'proxmon_ipmi_temperature_celsius{sensor="P2-DIMMF1 Temp"} 30',
      'proxmon_ipmi_temperature_celsius{sensor="AOC_SAS Temp"} 60',
      'proxmon_ipmi_temperature_celsius{sensor="HDD Temp"} 29',
    ]);
    expect(of('proxmon_ipmi_fan_rpm')).toEqual([
      'proxmon_ipmi_fan_rpm{sensor="FAN1"} 4400',
      'proxmon_ipmi_fan_rpm{sensor="FAN2"} 4300',
      'proxmon_ipmi_fan_rpm{sensor="FAN3"} 4400',
      'proxmon_ipmi_fan_rpm{sensor="FANA"} 4400',
    ]);
    expect(of('proxmon_ipmi_voltage_volts').slice(0, 3)).toEqual([
      'proxmon_ipmi_voltage_volts{sensor="12V"} 12.315',
      'proxmon_ipmi_voltage_volts{sensor="5VCC"} 5',
      'proxmon_ipmi_voltage_volts{sensor="3.3VCC"} 3.316',
    ]);
    expect(of('proxmon_ipmi_voltage_volts')).toHaveLength(15);
    expect(of('proxmon_ipmi_power_watts')).toEqual([]);
    const severity = of('proxmon_ipmi_sensor_severity');
    expect(severity).toHaveLength(36);
    expect(severity.filter((l) => !l.endsWith(' 0'))).toEqual([
      'proxmon_ipmi_sensor_severity{sensor="CPU2 Temp"} 3',
    ]);
    expect(lines.some((l) => l.includes('P1-DIMMA2') || l.includes('PS1 Status') || l.includes('FAN4'))).toBe(
      false,
    );
  });

  it('renders power, current and warnings', async () => {
    const lines = await render(
      snapshot(
        [
          'PS1 Input        | 160.000    | Watts      | ok    | na        | na        | na        | na        | na        | na',
          'PSU1_CIn         | 0.480      | Amps       | nc    | na        | na        | na        | na        | 14.080    | na',
        ].join('\n'),
      ),
    );
    expect(lines).toEqual([
      'proxmon_ipmi_power_watts{sensor="PS1 Input"} 160',
      'proxmon_ipmi_current_amperes{sensor="PSU1_CIn"} 0.48',
      'proxmon_ipmi_sensor_severity{sensor="PS1 Input"} 0',
      'proxmon_ipmi_sensor_severity{sensor="PSU1_CIn"} 2',
    ]);
  });

  it('renders no series without a fresh snapshot', async () => {
    expect(await render(undefined)).toEqual([]);
  });
});
