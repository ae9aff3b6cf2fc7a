import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../source.js';
import {
  engineLabel,
  intelGpu,
  parseDrmUevent,
  parseIntelGpuTopStream,
  type IntelGpuSample,
} from './parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function sampleOf(r: Result<IntelGpuSample>): IntelGpuSample {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const igt118 = {
  periodMs: 25.262162,
  actualMhz: 0,
  requestedMhz: 0,
  rc6Percent: 100,
  gpuWatts: 0,
  packageWatts: 36.407762,
  engines: [
    { engine: 'render', busyPercent: 1 },
    { engine: 'blitter', busyPercent: 2 },
    { engine: 'video', busyPercent: 3 },
    { engine: 'video_enhance', busyPercent: 4 },
  ],
};

describe('parseIntelGpuTopStream', () => {
  it('reads the IGT 1.17 framing: bare objects back to back, physical engines', () => {
    expect(
      sampleOf(parseIntelGpuTopStream(fixture('intel_gpu_top-J-stream-igt1.17-concatenated.txt'))),
    ).toEqual({
      periodMs: 0.295595,
      actualMhz: 0,
      requestedMhz: 0,
      rc6Percent: 0,
      gpuWatts: 0,
      packageWatts: 0,
      engines: [
        { engine: 'render', busyPercent: 2 },
        { engine: 'blitter', busyPercent: 1 },
        { engine: 'video', busyPercent: 3 },
        { engine: 'video_enhance', busyPercent: 4 },
      ],
    });
  });

  it('reads the IGT 1.18 array framing without commas', () => {
    expect(sampleOf(parseIntelGpuTopStream(fixture('intel_gpu_top-J-stream-igt1.18-array.txt')))).toEqual(
      igt118,
    );
  });

  it('reads the newer framing with commas between objects', () => {
    expect(sampleOf(parseIntelGpuTopStream(fixture('intel_gpu_top-J-stream-igt1.18-comma.txt')))).toEqual(
      igt118,
    );
  });

  it('takes the last complete sample of a run stopped mid-object', () => {
    const stream = fixture('intel_gpu_top-J-stream-igt1.18-comma.txt');
    const second = stream.replace(/"busy": 1\.000000/g, '"busy": 50.000000');
    // The first object closes with `},` at the start of a line.
    const firstEnd = stream.search(/^\},$/m) + 2;
    const text = `${stream.slice(0, firstEnd)}${second.slice(firstEnd, second.length - 200)}`;
    const cutAfterFirst = sampleOf(parseIntelGpuTopStream(text));
    expect(cutAfterFirst.engines[0]).toEqual({ engine: 'render', busyPercent: 1 });
    const whole = sampleOf(parseIntelGpuTopStream(`${stream.slice(0, firstEnd)}${second.slice(firstEnd)}`));
    expect(whole.engines[0]).toEqual({ engine: 'render', busyPercent: 50 });
  });

  it('averages physical engines into their class and keeps unknown classes', () => {
    const text = JSON.stringify({
      engines: {
        'Video/0': { busy: 10, unit: '%' },
        'Video/1': { busy: 30, unit: '%' },
        'Compute/0': { busy: 5 },
        'New Thing/0': { busy: 'x' },
      },
      frequency: { actual: 1200.5, requested: 1300 },
    });
    expect(sampleOf(parseIntelGpuTopStream(`[${text},`))).toMatchObject({
      actualMhz: 1200.5,
      requestedMhz: 1300,
      engines: [
        { engine: 'video', busyPercent: 20 },
        { engine: 'compute', busyPercent: 5 },
        { engine: 'new_thing', busyPercent: undefined },
      ],
    });
  });

  it('is a parse error without one complete sample', () => {
    for (const text of [
      '',
      '[',
      'Failed to initialize PMU! (Permission denied)',
      '{"period": {"duration": 1',
      '{"a":1}',
    ])
      expect(parseIntelGpuTopStream(text), text).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });

  it('never throws on random text, truncated streams or random JSON', () => {
    const stream = fixture('intel_gpu_top-J-stream-igt1.18-comma.txt');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.nat({ max: stream.length }).map((n) => stream.slice(0, n)),
          fc.jsonValue().map((v) => JSON.stringify({ engines: v, period: v, frequency: v })),
        ),
        (s) => {
          const r = parseIntelGpuTopStream(s);
          if (!r.ok) expect(r.error.kind).toBe('parse');
          else for (const e of r.value.engines) expect(typeof e.engine).toBe('string');
        },
      ),
    );
  });
});

describe('engineLabel', () => {
  it('maps class and physical names to stable labels', () => {
    expect(
      ['Render/3D', 'Render/3D/0', 'Blitter/0', 'VideoEnhance', 'Video/1', 'Compute'].map(engineLabel),
    ).toEqual(['render', 'render', 'blitter', 'video_enhance', 'video', 'compute']);
  });
});

describe('parseDrmUevent and intelGpu', () => {
  const uevent =
    'DRIVER=i915\nPCI_CLASS=30000\nPCI_ID=8086:46A6\nPCI_SUBSYS_ID=1028:0B19\nPCI_SLOT_NAME=0000:00:02.0\n';

  it('reads driver, PCI id and slot; a uevent without them is no card', () => {
    expect(parseDrmUevent(0, uevent)).toEqual({
      card: 0,
      driver: 'i915',
      pciSlot: '0000:00:02.0',
      pciId: '8086:46a6',
    });
    expect(parseDrmUevent(1, 'DRIVER=simple-framebuffer\n')).toBeUndefined();
  });

  it('builds the GPU: busiest class as utilization, MHz to Hz, percent to ratio', () => {
    const card = parseDrmUevent(0, uevent);
    if (!card) throw new Error('no card');
    const sample = { ...igt118, actualMhz: 1450, requestedMhz: 1500 };
    expect(intelGpu(card, sample)).toMatchObject({
      id: '0000:00:02.0',
      vendor: 'intel',
      index: 0,
      name: '8086:46a6',
      driver: 'i915',
      pciBus: '0000:00:02.0',
      utilizationRatio: 0.04,
      powerWatts: 0,
      packagePowerWatts: 36.407762,
      rc6Ratio: 1,
      clocksHertz: { graphics: 1450e6 },
      requestedClocksHertz: { graphics: 1500e6 },
      engines: [
        { engine: 'render', busyRatio: 0.01 },
        { engine: 'blitter', busyRatio: 0.02 },
        { engine: 'video', busyRatio: 0.03 },
        { engine: 'video_enhance', busyRatio: 0.04 },
      ],
    });
  });
});
