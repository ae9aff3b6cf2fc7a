import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Exec, ExecOptions } from '../exec.js';
import { fail, ok, type Result } from '../source.js';
import { sourceContext } from '../../test-support/source-context.js';
import { createHwmonSource } from '../hwmon/index.js';
import type { SensorChip } from '../hwmon/types.js';
import { createSensorsSource } from './index.js';
import { parseSensorsJson, repairSensorsJson } from './parse.js';

const fixturePath = (path: string) => fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url));
const text = (path: string) => readFileSync(fixturePath(path), 'utf8');

function chipsOf(r: Result<{ chips: SensorChip[] }>): SensorChip[] {
  if (!r.ok) throw new Error(r.error.message);
  return r.value.chips;
}

const contextWith = (exec: Exec, sysfs = '/nonexistent/sys') => sourceContext({ paths: { sysfs }, exec });

/** A fake `sensors` that replies with a recorded stdout/stderr/exit status and records its call. */
function fakeExec(reply: Result<{ stdout: string; stderr?: string; exitCode: number }>) {
  const calls: { tool: string; args: readonly string[]; options: ExecOptions }[] = [];
  const exec: Exec = async (tool, args, options) => {
    calls.push({ tool, args, options });
    if (!reply.ok) return reply;
    return ok({ stderr: '', durationMs: 12, ...reply.value });
  };
  return { exec, calls };
}

describe('parseSensorsJson', () => {
  it('reads the coretemp + 2 nvme + acpitz capture (buonviri/HJS)', () => {
    const chips = chipsOf(parseSensorsJson(text('sensors-j-coretemp-nvme-acpitz.json')));
    expect(chips.map((c) => [c.chip, c.temperatures.length, c.fans.length])).toEqual([
      ['nvme-pci-0500', 1, 0],
      ['acpitz-acpi-0', 1, 0],
      ['coretemp-isa-0000', 17, 0],
      ['nvme-pci-0200', 1, 0],
    ]);
    expect(chips[0]?.temperatures[0]).toEqual({
      sensor: 'Composite',
      celsius: 32.85,
      criticalCelsius: 114.85,
      maxCelsius: 109.85,
      alarms: { alarm: false },
    });
    expect(chips[1]?.temperatures[0]).toEqual({ sensor: 'temp1', celsius: 27.8, criticalCelsius: 105 });
    expect(chips[2]?.temperatures[0]).toEqual({
      sensor: 'Package id 0',
      celsius: 27,
      criticalCelsius: 100,
      maxCelsius: 80,
      alarms: { crit_alarm: false },
    });
    expect(chips[2]?.temperatures[16]).toEqual({
      sensor: 'Core 39',
      celsius: 24,
      criticalCelsius: 100,
      maxCelsius: 80,
      alarms: { crit_alarm: false },
    });
  });

  it('reads Debian 12 lm-sensors 3.6.0 output for the hwmon fixture tree, fans included', () => {
    const chips = chipsOf(parseSensorsJson(text('sensors-j-debian12-hwmon-fixture-tree.json')));
    expect(chips.map((c) => c.chip)).toEqual([
      'acpitz-acpi-0',
      'coretemp-isa-0000',
      'nvme-pci-0500',
      'nct6775-isa-0290',
      'nvme-pci-0200',
      'drivetemp-scsi-0-0',
    ]);
    expect(chips[3]).toEqual({
      chip: 'nct6775-isa-0290',
      temperatures: [
        { sensor: 'SYSTIN', celsius: 33, maxCelsius: 80 },
        { sensor: 'CPUTIN', celsius: 38.5, maxCelsius: 80 },
        // -62 °C is below the plausible range (an unconnected input): no reading.
        { sensor: 'AUXTIN0' },
      ],
      fans: [
        { sensor: 'fan1', rpm: 0 },
        { sensor: 'fan2', rpm: 1048 },
        { sensor: 'fan3', rpm: 732 },
      ],
    });
  });

  it('reads the ASRock nct6798 capture (buonviri/HJS): floating AUXTINs kept with their ALARMs', () => {
    const chips = chipsOf(parseSensorsJson(text('sensors-j-asrock-nct6798-alarms.json')));
    expect(chips.map((c) => [c.chip, c.temperatures.length, c.fans.length])).toEqual([
      ['nct6798-isa-02a0', 12, 6],
      ['nvme-pci-0200', 2, 0],
      ['coretemp-isa-0000', 15, 0],
    ]);
    const [nct, nvme] = chips;
    const limits = { maxCelsius: 80, criticalCelsius: 100 };
    // 108-120 °C on unconnected thermistor inputs is inside the plausible range: kept, flagged.
    expect(nct?.temperatures.slice(0, 8)).toEqual([
      { sensor: 'SYSTIN', celsius: 120, ...limits },
      { sensor: 'CPUTIN', celsius: 37, ...limits, alarms: { alarm: false } },
      { sensor: 'AUXTIN0', celsius: 111, ...limits, alarms: { alarm: true } },
      { sensor: 'AUXTIN1', celsius: 115, ...limits, alarms: { alarm: true } },
      { sensor: 'AUXTIN2', celsius: 115, ...limits, alarms: { alarm: true } },
      { sensor: 'AUXTIN3', celsius: -1, ...limits, alarms: { alarm: false } },
      { sensor: 'PECI Agent 0', celsius: 37.5, maxCelsius: 80, alarms: { alarm: false } },
      { sensor: 'AUXTIN4', celsius: 108, ...limits, alarms: { alarm: true } },
    ]);
    expect(nct?.temperatures[8]).toEqual({ sensor: 'PCH_CHIP_CPU_MAX_TEMP', celsius: 0 });
    expect(nct?.fans.map((f) => [f.sensor, f.rpm, f.alarms?.alarm])).toEqual([
      ['fan1', 1278, false],
      ['fan2', 1278, false],
      ['fan3', 0, false],
      ['fan4', 0, false],
      ['fan5', 0, false],
      ['fan7', 0, undefined],
    ]);
    // The nvme "Sensor 1" limits (65261.85, -273.15) are limits, not readings: untouched.
    expect(nvme?.temperatures[1]).toEqual({ sensor: 'Sensor 1', celsius: 34.85, maxCelsius: 65261.85 });
  });

  it('reads Debian 12 lm-sensors 3.6.0 output for the nct6798 + adt7461 tree: saturated and FAULT inputs dropped', () => {
    const chips = chipsOf(parseSensorsJson(text('sensors-j-debian12-nct6798-adt7461-tree.json')));
    expect(chips.map((c) => c.temperatures.map((t) => [t.sensor, t.celsius]))).toEqual([
      [
        ['SYSTIN', 120],
        ['CPUTIN', 37],
        ['AUXTIN0', 111],
        ['AUXTIN1', undefined],
        ['AUXTIN2', undefined],
        ['PECI Agent 0', 37.5],
      ],
      [
        ['local', 41],
        ['remote', undefined],
      ],
    ]);
    expect(chips[1]?.temperatures[1]?.alarms).toEqual({
      min_alarm: true,
      max_alarm: false,
      crit_alarm: false,
      fault: true,
    });
    expect(chips[0]?.fans).toEqual([
      { sensor: 'fan1', rpm: 1278, alarms: { alarm: false } },
      { sensor: 'fan2', rpm: 0, alarms: { alarm: true } },
    ]);
  });

  it('repairs the trailing comma of a chip whose features are all ignored (lm-sensors#513)', () => {
    const input = text('sensors-j-debian12-chip-all-ignored.json');
    expect(() => JSON.parse(input) as unknown).toThrow();
    const chips = chipsOf(parseSensorsJson(input));
    expect(chips[0]).toEqual({ chip: 'acpitz-acpi-0', temperatures: [], fans: [] });
    expect(chips).toHaveLength(6);
  });

  it('reads a bare nan value as unknown', () => {
    const chips = chipsOf(parseSensorsJson(text('sensors-j-debian12-nan-input.json')));
    expect(chips[0]).toEqual({
      chip: 'acpitz-acpi-0',
      temperatures: [{ sensor: 'temp1', celsius: undefined, criticalCelsius: 105 }],
      fans: [],
    });
  });

  it('reads the no-sensors stdout as no chips', () => {
    expect(parseSensorsJson(text('sensors-j-debian12-no-sensors.json'))).toEqual({
      ok: true,
      value: { chips: [] },
    });
  });

  it('skips unreadable features and non-temperature ones', () => {
    const chips = chipsOf(
      parseSensorsJson(
        '{"thinkpad-isa-0000":{"Adapter":"ISA adapter","temp2":{},"in0":{"in0_input":5.0},' +
          '"power1":{"power1_average":3.1},"fan1":{"fan1_input":2100.0,"fan1_min":0.0}}}',
      ),
    );
    expect(chips).toEqual([
      { chip: 'thinkpad-isa-0000', temperatures: [], fans: [{ sensor: 'fan1', rpm: 2100 }] },
    ]);
  });

  it('repairs -nan, inf and trailing commas only where they are values or separators', () => {
    expect(repairSensorsJson('{"a":{"t_input": -nan,"b": inf,},}')).toBe('{"a":{"t_input": null,"b": null}}');
  });

  it('is a parse error for text that is not JSON even after repair, or not an object', () => {
    expect(parseSensorsJson('ERROR: Kernel interface error')).toMatchObject({
      ok: false,
      error: { kind: 'parse' },
    });
    expect(parseSensorsJson('[1,2]')).toMatchObject({ ok: false, error: { kind: 'parse' } });
    expect(parseSensorsJson('')).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });

  it('never throws on random text or random JSON', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ chip: v })),
        ),
        (s) => {
          const r = parseSensorsJson(s);
          if (!r.ok) expect(r.error.kind).toBe('parse');
          else
            for (const c of r.value.chips)
              for (const t of c.temperatures) expect(typeof t.sensor).toBe('string');
        },
      ),
    );
  });
});

describe('sensors source collect()', () => {
  it('runs sensors -j within its deadline and parses stdout', async () => {
    const { exec, calls } = fakeExec(
      ok({ stdout: text('sensors-j-coretemp-nvme-acpitz.json'), exitCode: 0 }),
    );
    const source = createSensorsSource();
    expect([source.name, source.intervalSeconds, source.timeoutSeconds]).toEqual(['sensors', 10, 5]);
    const ctx = contextWith(exec);
    const r = await source.collect(ctx);
    expect(chipsOf(r)).toHaveLength(4);
    expect(calls).toEqual([
      { tool: 'sensors', args: ['-j'], options: { timeoutMs: 5000, signal: ctx.signal } },
    ]);
  });

  it('is absent when no sensors are found (recorded: exit 1, "{}" and a stderr hint)', async () => {
    const { exec } = fakeExec(
      ok({
        stdout: text('sensors-j-debian12-no-sensors.json'),
        stderr: text('sensors-j-debian12-no-sensors.stderr.txt'),
        exitCode: 1,
      }),
    );
    expect(await createSensorsSource().collect(contextWith(exec))).toEqual(
      fail('absent', 'sensors: no sensors found'),
    );
  });

  it('is absent when the tool is not installed, either way', async () => {
    const notFound = fakeExec(fail('absent', 'sensors: not installed'));
    expect(await createSensorsSource().collect(contextWith(notFound.exec))).toMatchObject({
      ok: false,
      error: { kind: 'absent' },
    });
    const wrapper = fakeExec(ok({ stdout: '', stderr: 'sensors: command not found', exitCode: 127 }));
    expect(await createSensorsSource().collect(contextWith(wrapper.exec))).toMatchObject({
      ok: false,
      error: { kind: 'absent' },
    });
  });

  it('passes timeouts through and reports other failures as exit or parse errors', async () => {
    const timeout = fakeExec(fail('timeout', 'sensors: timed out after 5000 ms'));
    expect(await createSensorsSource().collect(contextWith(timeout.exec))).toEqual(
      fail('timeout', 'sensors: timed out after 5000 ms'),
    );
    const broken = fakeExec(
      ok({ stdout: '', stderr: 'Error: File sensors.conf, line 3: parse error\n', exitCode: 1 }),
    );
    expect(await createSensorsSource().collect(contextWith(broken.exec))).toEqual(
      fail('exit', 'sensors -j exited 1: Error: File sensors.conf, line 3: parse error'),
    );
    const garbage = fakeExec(ok({ stdout: '{"coretemp-isa-0000":{', exitCode: 0 }));
    expect(await createSensorsSource().collect(contextWith(garbage.exec))).toMatchObject({
      ok: false,
      error: { kind: 'parse' },
    });
  });

  it.each([
    ['host-coretemp-nvme-nct6775', 'sensors-j-debian12-hwmon-fixture-tree.json'],
    ['host-nct6798-adt7461', 'sensors-j-debian12-nct6798-adt7461-tree.json'],
  ])(
    'agrees with the hwmon source on the %s tree (real libsensors 3.6.0 run against it)',
    async (tree, json) => {
      const fromSensors = chipsOf(parseSensorsJson(text(json)));
      const sysfs = fileURLToPath(new URL(`../hwmon/fixtures/${tree}/sys`, import.meta.url));
      const fromHwmon = chipsOf(
        await createHwmonSource().collect(contextWith(fakeExec(ok({ stdout: '', exitCode: 0 })).exec, sysfs)),
      );
      // libsensors skips an input it cannot open (PECI Agent 0); hwmon keeps it with no value.
      const listed = new Set(fromSensors.flatMap((c) => c.temperatures.map((t) => `${c.chip}/${t.sensor}`)));
      const normalise = (chips: SensorChip[]) =>
        chips
          .map((c) => ({
            ...c,
            temperatures: c.temperatures.filter((t) => listed.has(`${c.chip}/${t.sensor}`)),
          }))
          .sort((a, b) => a.chip.localeCompare(b.chip));
      expect(normalise(fromHwmon)).toEqual(normalise(fromSensors));
    },
  );
});
