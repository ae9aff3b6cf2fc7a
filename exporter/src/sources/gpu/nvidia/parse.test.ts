import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../source.js';
import type { Gpu } from '../types.js';
import { QUERY_FIELDS, selectQueryFields } from './fields.js';
import {
  fieldsFromHeader,
  isFormatRejected,
  nvidiaSmiFailure,
  parseComputeAppsCsv,
  parseHelpQueryGpu,
  parseQueryGpuCsv,
  rejectedQueryField,
  splitCsvLine,
} from './parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function valueOf<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return r.value;
}

const helpFields = () => valueOf(parseHelpQueryGpu(fixture('nvidia-smi-help-query-gpu.txt')));
const sourceFields = () => selectQueryFields(helpFields());

/** What nvidia-smi prints for `fields`, cut by name out of an every-field capture row (as it would). */
function cut(names: readonly string[], row: string, fields: readonly string[]): string {
  const cells = splitCsvLine(row);
  return fields.map((f) => cells[names.indexOf(f)] ?? '[N/A]').join(', ');
}

/** The lines of one `#####`-headed section of the RTX 4080 SUPER capture. */
function captureSection(title: string): string[] {
  const lines = fixture('nvidia-smi-capture-rtx4080super.txt').split('\n');
  const start = lines.indexOf(`# ${title}`);
  const body = lines.slice(start + 3);
  const end = body.findIndex((l) => l.startsWith('#####'));
  return body.slice(0, end).filter((l) => l.trim() !== '');
}

const H100_UUID = 'GPU-6e1f9a28-3d00-140e-ed41-553106267e02';
const H200_UUID = 'GPU-773cbcc2-735c-5eb6-d754-7a34642e3211';
const MIB = 1024 * 1024;

describe('parseHelpQueryGpu', () => {
  it('reads every name and alias of the H100 (580.159.04) help, skipping description lines', () => {
    const names = helpFields();
    expect(names.size).toBe(255);
    for (const n of [
      'uuid',
      'gpu_uuid',
      'clocks_event_reasons.active',
      'clocks_throttle_reasons.active',
      'power.draw.instant',
      'gpu.power.draw.instant',
      'clocks.gr',
      'hostname',
    ])
      expect(names.has(n), n).toBe(true);
    // `"0: Default" means multiple contexts are allowed per device.` is a description, not a field.
    expect(names.has('0: Default')).toBe(false);
  });

  it('lists the same fields as the every-field capture (first names)', () => {
    const all = fixture('nvidia-smi-all-query-fields.txt').trim().split(',');
    const names = helpFields();
    expect(all).toHaveLength(214);
    for (const f of all) expect(names.has(f), f).toBe(true);
  });

  it('reads the RTX 4080 SUPER (595.71.05) help inside its capture', () => {
    const names = valueOf(parseHelpQueryGpu(captureSection('capabilities :: help-query-gpu').join('\n')));
    expect(names.has('kmd_version')).toBe(true);
    expect(names.has('clocks_event_reasons_counters.sw_power_cap')).toBe(true);
  });

  it('is a parse error for text with no field names', () => {
    expect(parseHelpQueryGpu('Invalid combination of input arguments.')).toMatchObject({
      ok: false,
      error: { kind: 'parse' },
    });
  });
});

describe('selectQueryFields', () => {
  it('picks the new names on a 580 driver, name last (the live H200 run selected the same)', () => {
    const fields = sourceFields();
    expect(fields).toEqual(fixture('nvidia-smi-h200-query-source-fields.txt').trim().split(','));
    expect(fields.at(-1)).toBe('name');
    expect(fields).toContain('clocks_event_reasons.active');
    expect(fields).toContain('power.draw.instant');
    expect(fields).not.toContain('clocks_throttle_reasons.active');
  });

  it('falls back to the old names an older driver lists', () => {
    const old = new Set(['uuid', 'name', 'power.draw', 'clocks_throttle_reasons.active', 'clocks.gr']);
    expect(selectQueryFields(old)).toEqual([
      'uuid',
      'power.draw',
      'clocks.gr',
      'clocks_throttle_reasons.active',
      'name',
    ]);
  });

  it('uses a baseline without a help text and never a rejected name', () => {
    const baseline = selectQueryFields(undefined);
    expect(baseline).toContain('utilization.gpu');
    expect(baseline.at(-1)).toBe('name');
    expect(selectQueryFields(helpFields(), new Set(['temperature.memory']))).not.toContain(
      'temperature.memory',
    );
    // A rejected new name makes way for its alias.
    expect(selectQueryFields(helpFields(), new Set(['clocks_event_reasons.active']))).toContain(
      'clocks_throttle_reasons.active',
    );
  });

  it('knows every field it may ask for under one key only', () => {
    const all = Object.values(QUERY_FIELDS).flat();
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('parseQueryGpuCsv', () => {
  const allNames = fixture('nvidia-smi-all-query-fields.txt').trim().split(',');

  it('H100 idle, nounits: utilization, memory in bytes, power, clocks in hertz, temperature; no fan', () => {
    const fields = sourceFields();
    const line = cut(allNames, fixture('nvidia-smi-query-all-idle-nounits.csv'), fields);
    const [gpu] = valueOf(parseQueryGpuCsv(line, fields));
    expect(gpu).toMatchObject({
      id: H100_UUID,
      vendor: 'nvidia',
      index: 0,
      name: 'NVIDIA H100 80GB HBM3',
      driver: '580.159.04',
      pciBus: '0000:00:06.0',
      utilizationRatio: 0,
      memoryUtilizationRatio: 0,
      memoryUsedBytes: 0,
      memoryTotalBytes: 81559 * MIB,
      temperatureCelsius: 47,
      memoryTemperatureCelsius: 48,
      powerWatts: 132.26,
      powerLimitWatts: 700,
      clocksHertz: { graphics: 405e6, sm: 405e6, memory: 2619e6, video: 765e6 },
      maxClocksHertz: { graphics: 1980e6, sm: 1980e6, memory: 2619e6 },
      encoderUtilizationRatio: 0,
      decoderUtilizationRatio: 0,
      encoderSessions: 0,
      eccErrors: { corrected: 0, uncorrected: 0 },
      performanceState: 0,
      pcie: { generation: 5, maxGeneration: 5, width: 16, maxWidth: 16 },
      remappedRows: { correctable: 0, uncorrectable: 0, pending: false, failure: false },
      retiredPages: {},
    });
    expect(gpu?.fanRatio).toBeUndefined();
    expect(gpu?.clockEventReasons).toHaveLength(9);
    expect(gpu?.clockEventReasons.filter((r) => r.active)).toEqual([{ reason: 'gpu_idle', active: true }]);
    expect(gpu?.clockEventSeconds).toEqual({
      sw_power_cap: 0,
      sync_boost: 0,
      sw_thermal_slowdown: 0,
      hw_thermal_slowdown: 0,
      hw_power_brake_slowdown: 0,
    });
  });

  it('H100 idle with units (nounits ignored): the same conversions', () => {
    const [header = '', row = ''] = fixture('nvidia-smi-query-all-idle.csv').split('\n');
    const [gpu] = valueOf(parseQueryGpuCsv(row, fieldsFromHeader(header)));
    expect(gpu).toMatchObject({
      id: H100_UUID,
      memoryTotalBytes: 81559 * MIB,
      memoryUsedBytes: 0,
      utilizationRatio: 0,
      powerWatts: 132.43,
      powerLimitWatts: 700,
      clocksHertz: { graphics: 1980e6, sm: 1980e6, memory: 2619e6, video: 1545e6 },
      clockEventSeconds: { sw_power_cap: 0 },
    });
    expect(gpu?.fanRatio).toBeUndefined();
  });

  it('H100 32-field query, with and without units (renamed clocks_event_reasons header)', () => {
    const fields = fieldsFromHeader(fixture('nvidia-smi-query-idle.csv').split('\n')[0] ?? '');
    expect(fields).toContain('clocks_event_reasons.active');
    const expected = {
      id: 'GPU-06d8588f-24f9-a800-8e22-a34f4dfa5c44',
      index: 0,
      temperatureCelsius: 34,
      memoryTemperatureCelsius: 35,
      utilizationRatio: 0,
      memoryTotalBytes: 81559 * MIB,
      powerLimitWatts: 700,
      clocksHertz: { graphics: 435e6, sm: 435e6, memory: 2619e6 },
      maxClocksHertz: { sm: 1980e6 },
      pcie: { generation: 5, width: 16 },
    };
    const [bare] = valueOf(parseQueryGpuCsv(fixture('nvidia-smi-query-idle-nounits.csv'), fields));
    expect(bare).toMatchObject({ ...expected, powerWatts: 117.09 });
    const [units] = valueOf(
      parseQueryGpuCsv(fixture('nvidia-smi-query-idle.csv').split('\n')[1] ?? '', fields),
    );
    expect(units).toMatchObject({ ...expected, powerWatts: 119.22 });
    // Only `active` was asked for: every known reason is listed, gpu_idle active.
    expect(bare?.clockEventReasons.find((r) => r.active)).toEqual({ reason: 'gpu_idle', active: true });
    expect(bare?.fanRatio).toBeUndefined();
  });

  it('H200 idle and under load, as the live run read them', () => {
    const fields = fixture('nvidia-smi-h200-query-source-fields.txt').trim().split(',');
    const [idle] = valueOf(
      parseQueryGpuCsv(fixture('nvidia-smi-h200-query-source-idle-nounits.csv'), fields),
    );
    const [load] = valueOf(
      parseQueryGpuCsv(fixture('nvidia-smi-h200-query-source-load-nounits.csv'), fields),
    );
    expect(idle).toMatchObject({
      id: H200_UUID,
      name: 'NVIDIA H200',
      utilizationRatio: 0,
      memoryTotalBytes: 143771 * MIB,
      powerWatts: 77.04,
      clocksHertz: { graphics: 345e6, sm: 345e6, memory: 3201e6, video: 765e6 },
      temperatureCelsius: 37,
    });
    expect(load).toMatchObject({
      id: H200_UUID,
      utilizationRatio: 1,
      memoryUtilizationRatio: 0.07,
      memoryUsedBytes: 1231 * MIB,
      temperatureCelsius: 62,
      memoryTemperatureCelsius: 43,
      powerWatts: 667.68,
      powerLimitWatts: 700,
      clocksHertz: { graphics: 1980e6, sm: 1980e6, memory: 3201e6, video: 1545e6 },
      performanceState: 0,
    });
    expect(load?.clockEventReasons.filter((r) => r.active)).toEqual([]);
    expect(load?.fanRatio).toBeUndefined();
  });

  it('H200 every-field capture under load, with units', () => {
    const [header = '', row = ''] = fixture('nvidia-smi-h200-query-all-load.csv').split('\n');
    const [gpu] = valueOf(parseQueryGpuCsv(row, fieldsFromHeader(header)));
    expect(gpu).toMatchObject({ id: H200_UUID, name: 'NVIDIA H200', powerLimitWatts: 700 });
    expect(gpu?.utilizationRatio).toBeGreaterThan(0.9);
    expect(gpu?.powerWatts).toBeGreaterThan(500);
  });

  it('RTX 4080 SUPER idle and under NVENC load: fan 0 %, no ECC, N/A memory temperature', () => {
    const read = (phase: string) => {
      const [header = '', row = ''] = captureSection(`${phase} :: query-gpu (csv, what the exporter parses)`);
      return valueOf(parseQueryGpuCsv(row, fieldsFromHeader(header)))[0];
    };
    const idle = read('idle');
    expect(idle).toMatchObject({
      name: 'NVIDIA GeForce RTX 4080 SUPER',
      driver: '595.71.05',
      pciBus: '0000:01:00.0',
      fanRatio: 0,
      performanceState: 8,
      memoryUsedBytes: 596 * MIB,
      memoryTotalBytes: 16376 * MIB,
      utilizationRatio: 0,
      memoryUtilizationRatio: 0.23,
      powerWatts: 26.2,
      powerLimitWatts: 320,
      temperatureCelsius: 43,
      clocksHertz: { graphics: 210e6, sm: 210e6, memory: 405e6, video: 1185e6 },
      eccErrors: {},
      pcie: { generation: 1, maxGeneration: 4, width: 16, maxWidth: 16 },
    });
    expect(idle?.memoryTemperatureCelsius).toBeUndefined();
    const load = read('load');
    expect(load).toMatchObject({
      utilizationRatio: 0.07,
      encoderUtilizationRatio: 0.72,
      decoderUtilizationRatio: 0,
      encoderSessions: 2,
      performanceState: 2,
      powerWatts: 84.24,
      clocksHertz: { graphics: 2805e6, memory: 11251e6 },
    });
    expect(load?.clockEventReasons.every((r) => !r.active)).toBe(true);
  });

  it('keeps a comma inside the GPU name, and reads a quoted cell', () => {
    const fields = ['uuid', 'index', 'name'];
    const [a] = valueOf(parseQueryGpuCsv('GPU-1, 0, Tesla, rev. B, 2', fields));
    expect(a).toMatchObject({ id: 'GPU-1', index: 0, name: 'Tesla, rev. B, 2' });
    const [b] = valueOf(parseQueryGpuCsv('GPU-2, 1, "Quoted, ""name"""', fields));
    expect(b).toMatchObject({ id: 'GPU-2', name: 'Quoted, "name"' });
  });

  it('skips a lost GPU line and keeps the others', () => {
    const fields = ['uuid', 'index', 'utilization.gpu', 'name'];
    const text = [
      'Unable to determine the device handle for GPU0000:3B:00.0: Unknown Error',
      'GPU-ok, 1, 55, NVIDIA A100',
      '',
    ].join('\n');
    expect(valueOf(parseQueryGpuCsv(text, fields))).toMatchObject([{ id: 'GPU-ok', utilizationRatio: 0.55 }]);
  });

  it('treats every spelling of "no value" as unknown', () => {
    const fields = ['uuid', 'fan.speed', 'power.draw', 'temperature.gpu', 'memory.used', 'pstate', 'name'];
    const [g] = valueOf(
      parseQueryGpuCsv(
        'GPU-x, [N/A], [Not Supported], N/A, , [Unknown Error], [Insufficient Permissions]',
        fields,
      ),
    );
    expect(g).toMatchObject({ id: 'GPU-x' });
    for (const k of [
      'fanRatio',
      'powerWatts',
      'temperatureCelsius',
      'memoryUsedBytes',
      'performanceState',
      'name',
    ])
      expect(g?.[k as keyof Gpu], k).toBeUndefined();
  });

  it('falls back from power.draw to the average, then the instant reading', () => {
    const fields = ['uuid', 'power.draw', 'power.draw.average', 'power.draw.instant', 'name'];
    expect(valueOf(parseQueryGpuCsv('G, [N/A], 50.5, 60, n', fields))[0]?.powerWatts).toBe(50.5);
    expect(valueOf(parseQueryGpuCsv('G, [N/A], [N/A], 60, n', fields))[0]?.powerWatts).toBe(60);
  });

  it('reads old throttle names, a fan above 100 % and retired pages', () => {
    const fields = [
      'uuid',
      'clocks_throttle_reasons.supported',
      'clocks_throttle_reasons.active',
      'fan.speed',
      'retired_pages.sbe',
      'retired_pages.dbe',
      'retired_pages.pending',
      'name',
    ];
    const [g] = valueOf(
      parseQueryGpuCsv('GPU-t4, 0x00000000000001FF, 0x0000000000000044, 104 %, 2, 0, Yes, Tesla T4', fields),
    );
    expect(g?.clockEventReasons.filter((r) => r.active).map((r) => r.reason)).toEqual([
      'sw_power_cap',
      'hw_thermal_slowdown',
    ]);
    expect(g).toMatchObject({
      fanRatio: 1.04,
      retiredPages: { singleBitEcc: 2, doubleBitEcc: 0, pending: true },
    });
  });

  it('is ok with no GPUs for empty output, a parse error for output that is no GPU at all', () => {
    expect(parseQueryGpuCsv('', ['uuid', 'name'])).toEqual({ ok: true, value: [] });
    expect(parseQueryGpuCsv('Segmentation fault', ['uuid', 'index', 'name'])).toMatchObject({
      ok: false,
      error: { kind: 'parse' },
    });
  });

  it('never throws on random text, and reads any well-formed row', () => {
    const fields = sourceFields();
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseQueryGpuCsv(s, fields);
        if (!r.ok) expect(r.error.kind).toBe('parse');
      }),
    );
    const cell = fc.oneof(
      fc.constantFrom('[N/A]', '[Not Supported]', 'N/A', '', '0x1FF', 'Yes', 'P3', '12 MiB', '1.5 W'),
      fc.double({ noNaN: true }).map(String),
      fc.stringMatching(/^[A-Za-z0-9 .:-]{0,12}$/),
    );
    fc.assert(
      fc.property(fc.array(cell, { minLength: fields.length - 1, maxLength: fields.length - 1 }), (cells) => {
        const line = ['GPU-fc', ...cells.slice(1), 'Some GPU'].join(', ');
        const [g] = valueOf(parseQueryGpuCsv(line, fields));
        expect(g?.id).toBe('GPU-fc');
        for (const v of [g?.utilizationRatio, g?.powerWatts, g?.memoryUsedBytes])
          if (v !== undefined) expect(Number.isFinite(v)).toBe(true);
      }),
    );
  });
});

describe('parseComputeAppsCsv', () => {
  it('reads the H200 process under load, with and without units', () => {
    const expected = [{ gpu: H200_UUID, pid: 570, name: 'python3', usedMemoryBytes: 1222 * MIB }];
    expect(
      valueOf(parseComputeAppsCsv(fixture('nvidia-smi-h200-query-compute-apps-load-nounits.csv'))),
    ).toEqual(expected);
    const [header = '', ...rows] = fixture('nvidia-smi-h200-query-compute-apps-load.csv').split('\n');
    expect(valueOf(parseComputeAppsCsv(rows.join('\n'), fieldsFromHeader(header)))).toEqual(expected);
    expect(
      valueOf(parseComputeAppsCsv(fixture('nvidia-smi-h200-query-compute-apps-idle-nounits.csv'))),
    ).toEqual([]);
  });

  it('reads the H100 capture in its own column order (used_memory alias)', () => {
    const [header = '', ...rows] = fixture('nvidia-smi-query-apps.csv').split('\n');
    expect(valueOf(parseComputeAppsCsv(rows.join('\n'), fieldsFromHeader(header)))).toEqual([
      {
        gpu: 'GPU-06d8588f-24f9-a800-8e22-a34f4dfa5c44',
        pid: 440,
        name: 'python3',
        usedMemoryBytes: 1002 * MIB,
      },
    ]);
  });

  it('reads the RTX 4080 SUPER processes under NVENC load', () => {
    const [header = '', ...rows] = captureSection('load :: query-compute-apps (per-process)');
    expect(valueOf(parseComputeAppsCsv(rows.join('\n'), fieldsFromHeader(header)))).toEqual([
      {
        gpu: 'GPU-00000000-0000-0000-0000-000000000000',
        pid: 2165,
        name: '/usr/bin/kwin_wayland',
        usedMemoryBytes: 25 * MIB,
      },
      {
        gpu: 'GPU-00000000-0000-0000-0000-000000000000',
        pid: 5022,
        name: 'ffmpeg',
        usedMemoryBytes: 503 * MIB,
      },
      {
        gpu: 'GPU-00000000-0000-0000-0000-000000000000',
        pid: 5021,
        name: 'ffmpeg',
        usedMemoryBytes: 360 * MIB,
      },
    ]);
  });

  it('keeps commas in a process name, leaves unknown memory undefined, never throws', () => {
    expect(valueOf(parseComputeAppsCsv('GPU-a, 7, [N/A], /opt/app --x=1,2'))).toEqual([
      { gpu: 'GPU-a', pid: 7, name: '/opt/app --x=1,2', usedMemoryBytes: undefined },
    ]);
    expect(parseComputeAppsCsv('No running processes found')).toMatchObject({
      ok: false,
      error: { kind: 'parse' },
    });
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseComputeAppsCsv(s);
        if (r.ok) for (const p of r.value) expect(Number.isInteger(p.pid)).toBe(true);
        else expect(r.error.kind).toBe('parse');
      }),
    );
  });
});

describe('nvidia-smi replies', () => {
  it('names the field of an invalid-field reply and spots an invalid format reply', () => {
    expect(rejectedQueryField(fixture('nvidia-smi-query-invalid-field.txt'))).toBe('not.a.field');
    expect(rejectedQueryField('0, GPU-1, x')).toBeUndefined();
    expect(isFormatRejected(fixture('nvidia-smi-query-invalid-format.txt'))).toBe(true);
  });

  it('classifies failures: no devices and no binary are quiet, a dead driver is an error', () => {
    expect(nvidiaSmiFailure(fixture('nvidia-smi-invalid-index.txt'), '', 6)).toEqual({
      kind: 'absent',
      message: 'nvidia-smi: no devices were found',
    });
    expect(nvidiaSmiFailure('', 'sh: nvidia-smi: not found', 127)).toMatchObject({ kind: 'absent' });
    const driver =
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.";
    expect(nvidiaSmiFailure(`${driver}\n\n`, '', 9)).toEqual({ kind: 'exit', message: driver });
    expect(nvidiaSmiFailure('', 'Unknown Error\nmore', 15)).toEqual({
      kind: 'exit',
      message: 'nvidia-smi exited 15: Unknown Error',
    });
    expect(nvidiaSmiFailure('0, GPU-1', '', 0)).toBeUndefined();
  });
});
