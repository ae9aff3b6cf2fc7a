import { readFileSync, writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUpsMetrics } from '../exporter/src/metrics/ups.js';
import { SnapshotCache } from '../exporter/src/snapshots.js';
import { createExec } from '../exporter/src/sources/exec.js';
import { readText } from '../exporter/src/sources/read.js';
import { createUpsSource, UPS_SOURCE, type UpsSnapshot } from '../exporter/src/sources/ups/index.js';
import { startNut, type NutServer } from './nut.js';
import { sample } from './support.js';

/** The probe's dummy device (environment-probe.md 3b), on line. */
const ONLINE = `device.mfr: ProbeCorp
device.model: Dummy 1500
ups.mfr: ProbeCorp
ups.model: Dummy 1500
ups.status: OL
ups.load: 23
ups.realpower.nominal: 900
battery.charge: 100
battery.runtime: 3600
battery.voltage: 27.1
input.voltage: 231.0
output.voltage: 230.0
`;
const dump = (file: string) =>
  readFileSync(new URL(`../exporter/src/sources/ups/fixtures/${file}`, import.meta.url), 'utf8');

const MAX_AGE_SECONDS = 3;
let nut: NutServer;

beforeAll(async () => {
  nut = await startNut(
    [
      { name: 'dummy', dev: ONLINE, mode: 'dummy-loop' },
      { name: 'cp1000d', dev: dump('upsc-cyberpower-cp1000d-onbattery-dischrg.dev'), mode: 'dummy-once' },
      { name: 'pw9130', dev: dump('upsc-eaton-powerware9130-onbattery.dev'), mode: 'dummy-once' },
    ],
    { maxAgeSeconds: MAX_AGE_SECONDS },
  );
});

afterAll(async () => {
  await nut?.stop();
});

/** One refresh of the real source against the real upsd, rendered through the real metrics. */
async function refresh(): Promise<{ snapshot: UpsSnapshot; text: string }> {
  const source = createUpsSource({
    servers: [{ host: nut.host, port: nut.port, username: 'monuser', password: 'secret' }],
  });
  const r = await source.collect({
    paths: { procfs: '/proc', sysfs: '/sys', rootfs: '/' },
    exec: createExec(),
    readText,
    signal: AbortSignal.timeout(source.timeoutSeconds * 1000),
    now: Date.now,
    logger: pino({ level: 'silent' }),
  });
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}\n${nut.logs()}`);
  const cache = new SnapshotCache();
  cache.register(UPS_SOURCE, 30_000);
  cache.recordSuccess(UPS_SOURCE, r.value, 0.01);
  const registry = new Registry();
  registerUpsMetrics(registry, cache);
  return { snapshot: r.value, text: await registry.metrics() };
}

async function refreshUntil(done: (text: string) => boolean, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { text } = await refresh();
    if (done(text) || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const status = (text: string, ups: string, flag: string) =>
  sample(text, 'proxmon_ups_status', `{ups="${ups}",flag="${flag}"}`);

describe('ups source against a real upsd with dummy-ups drivers', () => {
  it('reads every UPS the server lists, logged in, with values in base units', async () => {
    const { snapshot, text } = await refresh();
    expect(snapshot.servers).toEqual([{ server: `127.0.0.1:${nut.port}`, up: true }]);
    expect(snapshot.upses.map((u) => [u.ups, u.up])).toEqual([
      ['dummy', true],
      ['cp1000d', true],
      ['pw9130', true],
    ]);
    expect(sample(text, 'proxmon_ups_battery_charge_ratio', '{ups="dummy"}')).toBe(1);
    expect(sample(text, 'proxmon_ups_load_ratio', '{ups="dummy"}')).toBe(0.23);
    expect(sample(text, 'proxmon_ups_battery_runtime_seconds', '{ups="dummy"}')).toBe(3600);
    expect(sample(text, 'proxmon_ups_input_voltage_volts', '{ups="dummy"}')).toBe(231);
    expect(sample(text, 'proxmon_ups_realpower_nominal_watts', '{ups="dummy"}')).toBe(900);
    expect(text).toContain(
      'proxmon_ups_info{ups="dummy",model="Dummy 1500",mfr="ProbeCorp",serial="",driver="dummy-ups"} 1',
    );
    expect([
      status(text, 'cp1000d', 'OB'),
      status(text, 'cp1000d', 'DISCHRG'),
      status(text, 'cp1000d', 'OL'),
    ]).toEqual([1, 1, 0]);
    expect(status(text, 'pw9130', 'OB')).toBe(1);
    expect(sample(text, 'proxmon_ups_battery_charge_ratio', '{ups="pw9130"}')).toBeUndefined();
  });

  it('shows proxmon_ups_status{flag="OB"} going 0 → 1 once the device reports OB LB', async () => {
    const before = (await refresh()).text;
    expect([
      status(before, 'dummy', 'OB'),
      status(before, 'dummy', 'OL'),
      status(before, 'dummy', 'LB'),
    ]).toEqual([0, 1, 0]);

    writeFileSync(
      nut.devPath('dummy'),
      ONLINE.replace('ups.status: OL', 'ups.status: OB LB').replace(
        'battery.charge: 100',
        'battery.charge: 9',
      ),
    );
    const changedAt = Date.now();
    // dummy-ups re-reads its file about every 2 s; each refresh is one real source run.
    const after = await refreshUntil((t) => status(t, 'dummy', 'OB') === 1, 10_000);
    expect([
      status(after, 'dummy', 'OB'),
      status(after, 'dummy', 'OL'),
      status(after, 'dummy', 'LB'),
    ]).toEqual([1, 0, 1]);
    expect(sample(after, 'proxmon_ups_battery_charge_ratio', '{ups="dummy"}')).toBe(0.09);
    // Well inside one 10 s source interval.
    expect(Date.now() - changedAt).toBeLessThan(10_000);
  });

  it('reports a UPS whose driver stopped updating as stale (DATA-STALE), the others still up', async () => {
    nut.pauseDriver('pw9130');
    try {
      const text = await refreshUntil(
        (t) => sample(t, 'proxmon_ups_up', '{ups="pw9130"}') === 0,
        (MAX_AGE_SECONDS + 8) * 1000,
      );
      expect(sample(text, 'proxmon_ups_up', '{ups="pw9130"}')).toBe(0);
      expect(status(text, 'pw9130', 'OB')).toBeUndefined();
      expect(sample(text, 'proxmon_ups_up', '{ups="cp1000d"}')).toBe(1);
      const { snapshot } = await refresh();
      expect(snapshot.upses.find((u) => u.name === 'pw9130')?.error).toBe('ERR DATA-STALE');
    } finally {
      nut.resumeDriver('pw9130');
    }
  });

  it('reports a UPS whose driver is gone as down (DRIVER-NOT-CONNECTED)', async () => {
    await nut.killDriver('cp1000d');
    const text = await refreshUntil((t) => sample(t, 'proxmon_ups_up', '{ups="cp1000d"}') === 0, 10_000);
    expect(sample(text, 'proxmon_ups_up', '{ups="cp1000d"}')).toBe(0);
    const { snapshot } = await refresh();
    expect(snapshot.upses.find((u) => u.name === 'cp1000d')?.error).toBe('ERR DRIVER-NOT-CONNECTED');
    expect(snapshot.upses.find((u) => u.name === 'dummy')?.up).toBe(true);
  });
});
