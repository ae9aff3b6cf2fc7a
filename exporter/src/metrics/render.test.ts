import { gunzipSync } from 'node:zlib';
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetricsRenderer } from './render.js';

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
    await new Promise((r) => setTimeout(r, 5));
    expect(await text(s.renderer)).toMatch(/^x 2$/m);
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
