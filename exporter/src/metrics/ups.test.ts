import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import { UPS_SOURCE, type UpsReading, type UpsSnapshot } from '../sources/ups/index.js';
import { parseListReply, readUpsValues, readVarList } from '../sources/ups/parse.js';
import { metricNames, registerUpsMetrics } from './ups.js';

/** A recorded upsd LIST VAR reply, parsed as the source parses it. */
function reading(file: string, name: string, ups = name): UpsReading {
  const lines = readFileSync(new URL(`../sources/ups/fixtures/${file}`, import.meta.url), 'utf8').split('\n');
  const reply = parseListReply(lines, ['VAR', name]);
  if (!reply?.ok) throw new Error(file);
  const vars = readVarList(reply.value);
  if (!vars.ok) throw new Error(vars.error.message);
  return { ups, name, server: '127.0.0.1:3493', up: true, ...readUpsValues(vars.value) };
}

async function render(snapshot: UpsSnapshot | undefined): Promise<string[]> {
  const cache = new SnapshotCache(() => 0);
  cache.register(UPS_SOURCE, 30_000);
  if (snapshot) cache.recordSuccess(UPS_SOURCE, snapshot, 0.01);
  const registry = new Registry();
  registerUpsMetrics(registry, cache);
  expect((await registry.getMetricsAsJSON()).map((m) => m.name)).toEqual([...metricNames]);
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('UPS metrics', () => {
  it('renders a UPS on battery, a remote one on line, and a stale one', async () => {
    const lines = await render({
      upses: [
        reading('nut-list-var-cp1000d.txt', 'cp1000d'),
        { ...reading('nut-list-var-es750.txt', 'es750', 'es750@nas.lan'), server: 'nas.lan:3493' },
        { ups: 'smartups', name: 'smartups', server: '127.0.0.1:3493', up: false, error: 'ERR DATA-STALE' },
      ],
      servers: [
        { server: '127.0.0.1:3493', up: true },
        { server: 'nas.lan:3493', up: true },
        { server: 'ups2.lan:3493', up: false, error: 'nut ups2.lan:3493: connection refused' },
      ],
    });
    const flags = (ups: string, on: string[]) =>
      [
        'OL',
        'OB',
        'LB',
        'HB',
        'RB',
        'CHRG',
        'DISCHRG',
        'BYPASS',
        'CAL',
        'OFF',
        'OVER',
        'TRIM',
        'BOOST',
        'FSD',
        'ALARM',
      ].map((f) => `proxmon_ups_status{ups="${ups}",flag="${f}"} ${on.includes(f) ? 1 : 0}`);
    expect(lines).toEqual([
      'proxmon_ups_up{ups="cp1000d"} 1',
      'proxmon_ups_up{ups="es750@nas.lan"} 1',
      'proxmon_ups_up{ups="smartups"} 0',
      'proxmon_ups_info{ups="cp1000d",model="CP 1000D",mfr="CPS",serial="",driver="dummy-ups"} 1',
      'proxmon_ups_info{ups="es750@nas.lan",model="Back-UPS ES 750",mfr="American Power Conversion",serial="3B0804X42777",driver="dummy-ups"} 1',
      ...flags('cp1000d', ['OB', 'DISCHRG']),
      ...flags('es750@nas.lan', ['OL', 'CHRG', 'LB']),
      'proxmon_ups_battery_charge_ratio{ups="cp1000d"} 0.93',
      'proxmon_ups_battery_charge_ratio{ups="es750@nas.lan"} 0.35',
      'proxmon_ups_load_ratio{ups="cp1000d"} 0.13',
      'proxmon_ups_load_ratio{ups="es750@nas.lan"} 0.42',
      'proxmon_ups_battery_runtime_seconds{ups="cp1000d"} 2572',
      'proxmon_ups_battery_runtime_seconds{ups="es750@nas.lan"} 0',
      'proxmon_ups_input_voltage_volts{ups="cp1000d"} 0',
      'proxmon_ups_input_voltage_volts{ups="es750@nas.lan"} 119',
      'proxmon_ups_output_voltage_volts{ups="cp1000d"} 120',
      'proxmon_ups_battery_voltage_volts{ups="cp1000d"} 12.1',
      'proxmon_ups_battery_voltage_volts{ups="es750@nas.lan"} 11.8',
      'proxmon_ups_realpower_nominal_watts{ups="cp1000d"} 68',
      'proxmon_ups_realpower_nominal_watts{ups="es750@nas.lan"} 450',
      'proxmon_ups_server_up{server="127.0.0.1:3493"} 1',
      'proxmon_ups_server_up{server="nas.lan:3493"} 1',
      'proxmon_ups_server_up{server="ups2.lan:3493"} 0',
    ]);
  });

  it('renders no series without a fresh snapshot', async () => {
    expect(await render(undefined)).toEqual([]);
  });
});
