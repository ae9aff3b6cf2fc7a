import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeMetrics, renderMetricsDoc } from './catalogue.js';
import { metricNamesByArea } from './index.js';

const docFile = fileURLToPath(new URL('../../../docs/METRICS.md', import.meta.url));

describe('metric catalogue', () => {
  it('each area declares exactly the names it registers', async () => {
    const docs = await describeMetrics();
    expect(docs.filter((d) => d.area === '(none)').map((d) => d.name)).toEqual([]);
    const declared = Object.values(metricNamesByArea).flat().sort();
    expect(docs.map((d) => d.name).sort()).toEqual(declared);
    expect(new Set(declared).size).toBe(declared.length);
  });

  it('follows the naming rules', async () => {
    for (const d of await describeMetrics()) {
      expect(d.name).toMatch(/^proxmon_[a-z0-9_]+$/);
      expect(d.help.length, d.name).toBeGreaterThan(5);
      if (d.type === 'counter') expect(d.name, d.name).toMatch(/_total$/);
      else expect(d.name, d.name).not.toMatch(/_total$/);
      if (d.name.endsWith('_info')) expect(d.type).toBe('gauge');
    }
  });

  it('docs/METRICS.md matches the code', async () => {
    const text = renderMetricsDoc(await describeMetrics());
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(docFile, text);
    expect(existsSync(docFile)).toBe(true);
    expect(readFileSync(docFile, 'utf8')).toBe(text);
  });
});
