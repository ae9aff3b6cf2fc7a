import { existsSync, readdirSync, readFileSync } from 'fs';
import path from 'path';
import { repoRoot } from './test-support/exporter';

// Checks the build output (npm run build), which scripts/test.sh runs before these tests.
const dist = path.join(repoRoot, 'grafana-app-plugin', 'dist');
const read = (f: string) => JSON.parse(readFileSync(path.join(dist, f), 'utf8'));

describe('dist/', () => {
  beforeAll(() => {
    if (!existsSync(path.join(dist, 'plugin.json'))) {
      throw new Error(`${dist} has no build: run npm run build -w grafana-app-plugin first`);
    }
  });

  it('has the app module and its plugin.json with the version and id filled in', () => {
    expect(existsSync(path.join(dist, 'module.js'))).toBe(true);
    const plugin = read('plugin.json');
    expect(plugin).toMatchObject({ type: 'app', id: 'proxmon-monitor-app' });
    expect(plugin.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(JSON.stringify(plugin)).not.toContain('%PLUGIN_ID%');
    expect(plugin.includes.filter((i: { type: string }) => i.type === 'page').length).toBeGreaterThanOrEqual(
      5,
    );
    expect(plugin.routes.length).toBeGreaterThan(0);
  });

  it('has every dashboard plugin.json lists, identical to dashboards/', () => {
    const listed = read('plugin.json').includes.filter((i: { type: string }) => i.type === 'dashboard');
    expect(listed.length).toBe(
      readdirSync(path.join(repoRoot, 'dashboards')).filter((f) => f.endsWith('.json')).length,
    );
    for (const d of listed as Array<{ path: string; uid: string }>) {
      const built = readFileSync(path.join(dist, d.path), 'utf8');
      if (built !== readFileSync(path.join(repoRoot, d.path), 'utf8')) {
        throw new Error(
          `dist/${d.path} differs from ${d.path}: rebuild (npm run build -w grafana-app-plugin)`,
        );
      }
      expect(JSON.parse(built).uid).toBe(d.uid);
    }
  });

  it('has the nested terminal panel: its own plugin.json of type panel, its module and logo', () => {
    const panel = read('panels/terminal/plugin.json');
    expect(panel).toMatchObject({ type: 'panel', id: 'proxmon-terminal-panel' });
    expect(existsSync(path.join(dist, 'panels/terminal/module.js'))).toBe(true);
    expect(existsSync(path.join(dist, 'panels/terminal', panel.info.logos.small))).toBe(true);
  });
});
