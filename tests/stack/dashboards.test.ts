import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { buildDashboard, dashboardSpecs, renderDashboard } from '../../dashboards/src/index.js';
import { isRow, loadDashboards, panelQueries, panelsOf, targetsOf } from './dashboards.js';
import { dashboardsDir } from './paths.js';

const DATASOURCE_UID = '${datasource}';
const files = loadDashboards();

interface Schema {
  definitions: Record<string, { properties: Record<string, unknown> }>;
}

/**
 * The vendored schema, with two corrections. Its generator renders CUE's `_` (any value) as
 * `type: object` for a field override's matcher options and property values, where Grafana stores
 * strings (`byName` options, `unit` values) and arrays (`mappings`); those are checked below. And a
 * threshold's base step is `value: null`, as the schema's own description of the field says
 * ("Nulls currently appear here when serializing -Infinity to JSON"), though it types it number.
 */
function validator() {
  const schema = JSON.parse(
    readFileSync(join(dashboardsDir, 'schema/grafana-dashboard.jsonschema.json'), 'utf8'),
  ) as Schema;
  const { MatcherConfig, DynamicConfigValue, Threshold } = schema.definitions;
  if (MatcherConfig) MatcherConfig.properties.options = {};
  if (DynamicConfigValue) DynamicConfigValue.properties.value = {};
  if (Threshold) Threshold.properties.value = { type: ['number', 'null'] };
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('date-time', true);
  return ajv.compile(schema);
}

describe('dashboards', () => {
  it('are committed exactly as the generator writes them (npm run dashboards)', async () => {
    for (const { file, spec } of dashboardSpecs) {
      const committed = readFileSync(join(dashboardsDir, file), 'utf8');
      expect(committed, `dashboards/${file} is stale`).toBe(await renderDashboard(buildDashboard(spec)));
    }
  });

  it('cover overview, host, storage, guests, GPU, UPS, health and notifications', () => {
    expect(files.map((f) => f.dashboard.uid)).toEqual([
      'proxmon-overview',
      'proxmon-host',
      'proxmon-storage',
      'proxmon-guests',
      'proxmon-gpu',
      'proxmon-ups',
      'proxmon-health',
    ]);
  });

  it('validate against the Grafana dashboard JSON schema', () => {
    const validate = validator();
    for (const { file, dashboard } of files) {
      const ok = validate(dashboard);
      expect(ok, `${file}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`).toBe(true);
    }
  });

  it('override table columns by name with a unit string or value mappings only', () => {
    for (const { file, dashboard } of files)
      for (const p of panelsOf(dashboard)) {
        const overrides =
          (
            p as {
              fieldConfig?: {
                overrides?: Array<{
                  matcher: { id: string; options?: unknown };
                  properties: Array<{ id: string; value?: unknown }>;
                }>;
              };
            }
          ).fieldConfig?.overrides ?? [];
        for (const o of overrides) {
          expect(o.matcher.id, `${file}: ${p.title}`).toBe('byName');
          expect(typeof o.matcher.options, `${file}: ${p.title}`).toBe('string');
          for (const prop of o.properties) {
            if (prop.id === 'unit') expect(typeof prop.value, `${file}: ${p.title}`).toBe('string');
            else
              expect([prop.id, Array.isArray(prop.value)], `${file}: ${p.title}`).toEqual(['mappings', true]);
          }
        }
      }
  });

  it('have the datasource and node variables, a proxmon tag and a short fixed uid', () => {
    for (const { file, dashboard } of files) {
      const vars = dashboard.templating.list ?? [];
      expect(
        vars.find((v) => v.name === 'datasource'),
        file,
      ).toMatchObject({
        type: 'datasource',
        query: 'prometheus',
      });
      expect(
        vars.find((v) => v.name === 'node'),
        file,
      ).toMatchObject({
        type: 'query',
        datasource: { type: 'prometheus', uid: DATASOURCE_UID },
        multi: true,
        includeAll: true,
      });
      expect(dashboard.tags).toContain('proxmon');
      expect(dashboard.uid).toMatch(/^proxmon-[a-z0-9-]{1,32}$/);
      expect(dashboard.id ?? null).toBeNull();
    }
  });

  it('give every panel a unit and the datasource variable, on the panel and each query', () => {
    for (const { file, dashboard } of files) {
      for (const p of panelsOf(dashboard)) {
        const where = `${file}: ${p.title}`;
        const defaults = (p as { fieldConfig?: { defaults?: { unit?: string } } }).fieldConfig?.defaults;
        expect(defaults?.unit, where).toMatch(/^\S+$/);
        expect(p.datasource, where).toEqual({ type: 'prometheus', uid: DATASOURCE_UID });
        expect(targetsOf(p).length, where).toBeGreaterThan(0);
        for (const t of targetsOf(p)) expect(t.datasource, where).toEqual(p.datasource);
      }
    }
  });

  it('filter every query by the node variable', () => {
    for (const q of panelQueries(files))
      expect(q.expr, `${q.dashboard}: ${q.panel} ${q.refId}`).toContain('node=~"$node"');
  });

  it('number panels and queries uniquely and lay them out on the 24-column grid without overlaps', () => {
    for (const { file, dashboard } of files) {
      const all = dashboard.panels ?? [];
      const ids = all.map((p) => p.id);
      expect(new Set(ids).size, file).toBe(ids.length);
      const titles = panelsOf(dashboard).map((p) => p.title);
      expect(new Set(titles).size, `${file}: duplicate titles`).toBe(titles.length);
      const cells = new Set<string>();
      for (const p of all) {
        const g = p.gridPos;
        expect(g, `${file}: ${p.title}`).toBeDefined();
        if (!g) continue;
        expect(g.x + g.w, `${file}: ${p.title}`).toBeLessThanOrEqual(24);
        for (let x = g.x; x < g.x + g.w; x++)
          for (let y = g.y; y < g.y + g.h; y++) {
            const cell = `${x},${y}`;
            expect(cells.has(cell), `${file}: ${p.title} overlaps at ${cell}`).toBe(false);
            cells.add(cell);
          }
        if (isRow(p)) continue;
        const refs = targetsOf(p).map((t) => t.refId);
        expect(new Set(refs).size, `${file}: ${p.title}`).toBe(refs.length);
        expect(
          refs.every((r) => typeof r === 'string' && r !== ''),
          `${file}: ${p.title}`,
        ).toBe(true);
      }
    }
  });
});
