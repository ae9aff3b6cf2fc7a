import { gunzipSync } from 'node:zlib';
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { snapshotGauge } from './define.js';
import { createMetricsRenderer, renderRegistry } from './render.js';

function setup(serveStaleMs = 1000) {
  const registry = new Registry();
  let collects = 0;
  let value = 1;
  new Gauge({
    name: 'x',
    help: 'x',
    registers: [registry],
    collect() {
      collects++;
      this.set(value);
    },
  });
  const state = { generation: 0, now: 1_000 };
  const renderer = createMetricsRenderer(registry, {
    generation: () => state.generation,
    maxAgeMs: 5000,
    serveStaleMs,
    now: () => state.now,
  });
  return {
    renderer,
    state,
    collects: () => collects,
    set: (v: number) => (value = v),
  };
}

const text = async (r: ReturnType<typeof setup>['renderer']) => (await r.text()).toString();

describe('metrics renderer', () => {
  it('renders once per snapshot generation, and concurrent scrapes share one rendering', async () => {
    const s = setup();
    const all = await Promise.all([s.renderer.text(), s.renderer.text(), s.renderer.gzipped()]);
    expect(all[0]!.toString()).toMatch(/^x 1$/m);
    expect(gunzipSync(all[2]!).toString()).toBe(all[0]!.toString());
    await text(s.renderer);
    expect(s.collects()).toBe(1);
  });

  it('re-renders at most once a second after snapshots change, and no scrape waits for it', async () => {
    const s = setup();
    await text(s.renderer);
    s.set(2);
    s.state.generation++;
    s.state.now += 100;
    // Younger than a second: served as it is, no rendering started.
    expect(await text(s.renderer)).toMatch(/^x 1$/m);
    expect(s.collects()).toBe(1);
    // Older: a new rendering starts and this scrape still gets the previous text at once.
    s.state.now += 1000;
    expect(await text(s.renderer)).toMatch(/^x 1$/m);
    await vi.waitFor(async () => expect(await text(s.renderer)).toMatch(/^x 2$/m));
    expect(s.collects()).toBe(2);
    // Far too old to serve stale (an idle exporter): the scrape waits for the fresh rendering.
    s.set(3);
    s.state.generation++;
    s.state.now += 5000;
    expect(await text(s.renderer)).toMatch(/^x 3$/m);
  });

  it('re-renders when the text reaches its maximum age even if nothing changed', async () => {
    const s = setup(0);
    await text(s.renderer);
    s.state.now += 4999;
    await text(s.renderer);
    expect(s.collects()).toBe(1);
    s.state.now += 1;
    await text(s.renderer);
    expect(s.collects()).toBe(2);
  });
});

describe('renderRegistry', () => {
  it('prints what registry.metrics() prints, prom-client metrics and snapshot families alike', async () => {
    const registry = new Registry();
    new Gauge({ name: 'plain', help: 'a prom-client gauge', labelNames: ['k'], registers: [registry] }).set(
      { k: 'v' },
      3,
    );
    snapshotGauge(registry, { name: 'fam', help: 'a family', labelNames: ['k'] }, (emit) => {
      emit({ k: 'a' }, 1);
      emit({ k: 'b' }, undefined);
    });
    snapshotGauge(registry, { name: 'empty', help: 'nothing known' }, (emit) => emit({}, undefined));
    expect((await renderRegistry(registry)).toString()).toBe(await registry.metrics());
  });

  it('keeps each rendering intact while later ones reuse its buffer', async () => {
    const s = setup(0);
    const first = await s.renderer.gzipped();
    s.set(2);
    s.state.generation++;
    s.state.now += 10_000;
    const second = await s.renderer.gzipped();
    expect(gunzipSync(first).toString()).toMatch(/^x 1$/m);
    expect(gunzipSync(second).toString()).toMatch(/^x 2$/m);
  });

  it('lets other callbacks run during a long rendering', async () => {
    const registry = new Registry();
    for (let i = 0; i < 20; i++) {
      snapshotGauge(registry, { name: `slow_${i}`, help: 'h' }, (emit) => {
        const until = performance.now() + 1;
        while (performance.now() < until); // a family that takes 1 ms to fill
        emit({}, i);
      });
    }
    let ticks = 0;
    const tick = () => {
      ticks++;
      if (!done) setImmediate(tick);
    };
    let done = false;
    setImmediate(tick);
    const text = (await renderRegistry(registry)).toString();
    done = true;
    expect(text).toMatch(/^slow_19 19$/m);
    expect(ticks).toBeGreaterThanOrEqual(5);
  });
});
