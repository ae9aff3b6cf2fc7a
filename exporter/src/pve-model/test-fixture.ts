import { readFileSync } from 'node:fs';

/** A fixture's parsed JSON (tests only). */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as unknown;
}

/** One API path out of the proxmoxer-style constructed fixture (keys are API paths, values bare). */
export function exporterFixture(path: string): unknown {
  const all = fixture('pve-exporter-fixture-2node-constructed.json') as Record<string, unknown>;
  return all[path];
}

/** Unwrap a Result in tests, failing loudly. */
export function value<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(`expected ok, got: ${r.error.message}`);
  return r.value;
}
