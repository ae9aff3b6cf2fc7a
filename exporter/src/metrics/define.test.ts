import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import { SnapshotFamily, snapshotCounter, snapshotGauge, trackSnapshotReads, type Fill } from './define.js';
import { renderRegistry } from './render.js';

type Emitted = [Record<string, string | number>, number | undefined][];

const tricky: Emitted = [
  [{ disk: 'sda', model: 'Samsung "Evo"' }, 1],
  [{ disk: 'C:\\disk', model: 'line\nbreak' }, 0.5],
  [{ disk: 'nvme0n1', model: 'ünïcødé ✓' }, -3],
  [{ disk: 'big', model: '' }, 1e21],
  [{ disk: 'tiny', model: 'x' }, 1.5e-7],
  [{ disk: 'nan', model: 'x' }, NaN],
  [{ disk: 'inf', model: 'x' }, Infinity],
  [{ disk: 'unknown', model: 'x' }, undefined],
  [{ disk: 'sda', model: 'Samsung "Evo"' }, 2],
  [{ disk: 12, model: 'numeric label' }, 7],
];

const fillFrom =
  (emitted: Emitted): Fill<'disk' | 'model'> =>
  (emit) => {
    for (const [labels, value] of emitted) emit(labels, value);
  };

/** What the previous prom-client Gauge/Counter based helpers printed for the same emits. */
async function viaPromClient(kind: 'gauge' | 'counter', emitted: Emitted, help: string): Promise<string> {
  const registry = new Registry();
  const labelNames = ['disk', 'model'];
  const metric =
    kind === 'gauge'
      ? new Gauge({ name: 'm', help, labelNames, registers: [registry] })
      : new Counter({ name: 'm', help, labelNames, registers: [registry] });
  for (const [labels, value] of emitted) {
    if (value === undefined || !Number.isFinite(value) || (kind === 'counter' && value < 0)) continue;
    if (metric instanceof Gauge) metric.set(labels, value);
    else metric.inc(labels, value);
  }
  return registry.metrics();
}

async function viaFamily(kind: 'gauge' | 'counter', emitted: Emitted, help: string) {
  const registry = new Registry();
  const define = kind === 'gauge' ? snapshotGauge : snapshotCounter;
  define(registry, { name: 'm', help, labelNames: ['disk', 'model'] }, fillFrom(emitted));
  return { fast: (await renderRegistry(registry)).toString(), promClient: await registry.metrics() };
}

describe('snapshot families', () => {
  it.each(['gauge', 'counter'] as const)(
    'print a %s byte for byte as prom-client did: escaping, numbers, unknown values, repeated label sets',
    async (kind) => {
      const help = 'Help with a \\ backslash\nand a newline';
      const { fast, promClient } = await viaFamily(kind, tricky, help);
      expect(fast).toBe(await viaPromClient(kind, tricky, help));
      expect(promClient).toBe(fast);
    },
  );

  it('escape label values and help text as the text format asks', async () => {
    const { fast } = await viaFamily('gauge', tricky, 'a \\ b\nc "d"');
    expect(fast.split('\n')).toEqual([
      '# HELP m a \\\\ b\\nc "d"',
      '# TYPE m gauge',
      'm{disk="sda",model="Samsung \\"Evo\\""} 2',
      'm{disk="C:\\\\disk",model="line\\nbreak"} 0.5',
      'm{disk="nvme0n1",model="ünïcødé ✓"} -3',
      'm{disk="big",model=""} 1e+21',
      'm{disk="tiny",model="x"} 1.5e-7',
      'm{disk="12",model="numeric label"} 7',
      '',
    ]);
  });

  it('sum repeated label sets of a counter and skip negative values', async () => {
    const { fast } = await viaFamily('counter', tricky, 'h');
    expect(fast).toMatch(/^m\{disk="sda",model="Samsung \\"Evo\\""\} 3$/m);
    expect(fast).not.toMatch(/nvme0n1/);
    expect(fast).toMatch(/^# TYPE m counter$/m);
  });

  it('leave an unlabelled metric absent while its value is unknown', async () => {
    const registry = new Registry();
    const known: { value?: number } = {};
    snapshotGauge(registry, { name: 'u', help: 'h' }, (emit) => emit({}, known.value));
    expect((await renderRegistry(registry)).toString()).toBe('# HELP u h\n# TYPE u gauge\n');
    expect(await registry.metrics()).toBe('# HELP u h\n# TYPE u gauge\n');
    known.value = 0;
    expect((await renderRegistry(registry)).toString()).toBe('# HELP u h\n# TYPE u gauge\nu 0\n');
  });

  it('look like prom-client metrics to the registry', async () => {
    const registry = new Registry();
    snapshotCounter(registry, { name: 'c_total', help: 'h', labelNames: ['a'] }, (emit) =>
      emit({ a: 'x' }, 2),
    );
    const [family] = registry.getMetricsAsArray() as unknown[];
    expect(family).toBeInstanceOf(SnapshotFamily);
    expect((family as SnapshotFamily).labelNames).toEqual(['a']);
    expect(await registry.getMetricsAsJSON()).toEqual([
      {
        name: 'c_total',
        help: 'h',
        type: 'counter',
        aggregator: 'sum',
        values: [{ labels: { a: 'x' }, value: 2 }],
      },
    ]);
    registry.resetMetrics();
    expect(await registry.metrics()).toMatch(/^c_total\{a="x"\} 2$/m);
  });
});

describe('snapshot families read through trackSnapshotReads', () => {
  function setup(
    fillReads: (reader: SnapshotCache | ReturnType<typeof trackSnapshotReads>) => number | undefined,
  ) {
    const clock = { now: 0 };
    const cache = new SnapshotCache(() => clock.now);
    cache.register('a', 10_000);
    cache.register('b', 10_000);
    const reader = trackSnapshotReads(cache);
    const registry = new Registry();
    let fills = 0;
    snapshotGauge(registry, { name: 'g', help: 'h' }, (emit) => {
      fills++;
      emit({}, fillReads(reader));
    });
    const render = async () => (await renderRegistry(registry)).toString();
    return { cache, clock, render, fills: () => fills };
  }

  it('reuse the text while the snapshots read are unchanged, and rebuild it when one changes', async () => {
    const s = setup((r) => (r.latest<number>('a') ?? 0) + (r.latest<number>('b') ?? 0));
    s.cache.recordSuccess('a', 1, 0.01);
    s.cache.recordSuccess('b', 10, 0.01);
    expect(await s.render()).toMatch(/^g 11$/m);
    expect(await s.render()).toMatch(/^g 11$/m);
    expect(s.fills()).toBe(1);
    s.cache.recordSuccess('b', 20, 0.01);
    expect(await s.render()).toMatch(/^g 21$/m);
    expect(s.fills()).toBe(2);
  });

  it('rebuild the text when a snapshot read goes stale', async () => {
    const s = setup((r) => r.latest<number>('a'));
    s.cache.recordSuccess('a', 1, 0.01);
    expect(await s.render()).toMatch(/^g 1$/m);
    s.clock.now = 10_001;
    expect(await s.render()).not.toMatch(/^g /m);
    expect(s.fills()).toBe(2);
  });

  it('rebuild every time a fill that reads source statuses, or no snapshot at all', async () => {
    const statuses = setup((r) => r.statuses().length);
    await statuses.render();
    await statuses.render();
    expect(statuses.fills()).toBe(2);
    let outside = 1;
    const untracked = setup(() => outside++);
    expect(await untracked.render()).toMatch(/^g 1$/m);
    expect(await untracked.render()).toMatch(/^g 2$/m);
  });

  it('still rebuild every time through registry.metrics()', async () => {
    const registry = new Registry();
    const cache = new SnapshotCache();
    cache.register('a', 10_000);
    cache.recordSuccess('a', 5, 0.01);
    const reader = trackSnapshotReads(cache);
    let fills = 0;
    snapshotGauge(registry, { name: 'g', help: 'h' }, (emit) =>
      emit({}, (fills++, reader.latest<number>('a'))),
    );
    await registry.metrics();
    await registry.metrics();
    expect(fills).toBe(2);
  });
});
