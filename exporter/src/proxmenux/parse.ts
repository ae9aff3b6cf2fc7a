import { fail, ok, type Result } from '../sources/source.js';

/** One entry of ProxMenux's `installed_tools.json`. */
export interface RegisteredTool {
  installed: boolean;
  /** The function version recorded at install (structured entries only). */
  version?: string;
  /** `auto` or `custom`: which post-install flow applied it. */
  source?: string;
}

const TOOL_KEY = /^[a-z0-9][a-z0-9_]{0,63}$/;
const VERSION = /^v?\d+(\.\d+){0,3}([-+~][0-9A-Za-z.]{1,32})?$/;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const cleanText = (v: unknown, max = 32): string | undefined =>
  typeof v === 'string' && v.trim() !== '' && v.length <= max && /^[\w.+~-]+$/.test(v.trim())
    ? v.trim()
    : undefined;

/**
 * ProxMenux's tool registry: `{ "<tool>": true | false | { installed, version, source } }`. Older
 * scripts wrote booleans; newer ones an object on install and `false` on uninstall. Keys that are not
 * tool names and values of any other shape are skipped, not guessed at.
 */
export function parseToolRegistry(text: string): Result<Map<string, RegisteredTool>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail('parse', `installed_tools.json: invalid JSON (${(err as Error).message})`);
  }
  if (!isRecord(json)) return fail('parse', 'installed_tools.json: not a JSON object');
  const tools = new Map<string, RegisteredTool>();
  for (const [key, value] of Object.entries(json)) {
    if (!TOOL_KEY.test(key)) continue;
    if (typeof value === 'boolean') tools.set(key, { installed: value });
    else if (isRecord(value) && typeof value.installed === 'boolean')
      tools.set(key, {
        installed: value.installed,
        version: cleanText(value.version),
        source: cleanText(value.source),
      });
  }
  return ok(tools);
}

/** The first line of ProxMenux's `version.txt` (or `latest_version.txt`), when it is a version. */
export function parseVersionFile(text: string): string | undefined {
  const first = text.split('\n')[0]?.trim() ?? '';
  return VERSION.test(first) ? first.replace(/^v/, '') : undefined;
}

/** `stable_version` from ProxMenux's `config.json` `update_available` block, as its own updater left it. */
export function parseUpdateCache(text: string): string | undefined {
  try {
    const json: unknown = JSON.parse(text);
    const block = isRecord(json) ? json.update_available : undefined;
    const v = isRecord(block) ? block.stable_version : undefined;
    return typeof v === 'string' ? parseVersionFile(v) : undefined;
  } catch {
    return undefined;
  }
}

/** Numeric comparison of dotted versions (1.2.10 > 1.2.9); undefined when either is not one. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  const parts = (v: string) => {
    const m = /^v?(\d+(?:\.\d+){0,3})/.exec(v.trim());
    return m ? m[1]!.split('.').map(Number) : undefined;
  };
  const x = parts(a);
  const y = parts(b);
  if (!x || !y) return undefined;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
