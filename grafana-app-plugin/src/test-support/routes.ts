/**
 * How Grafana's app plugin proxy (`/api/plugin-proxy/<app>/<path>`) picks and applies a plugin.json
 * route, written down so the tests exercise the real route table (pkg/api/pluginproxy in Grafana):
 * routes are tried in order; one whose method is neither "*" nor the request's method is skipped (so a
 * comma list never matches); the first whose path matches wins; if the user's role is below its
 * `reqRole` the answer is 403 "plugin proxy route access denied" (no further route is tried); no match is
 * 404 "plugin route match not found". The target is the interpolated `url` joined with what the path's
 * `*` matched, keeping the query; route headers are interpolated and set.
 * Pure (no Node or DOM APIs), so the jest shim and a Node test server can both use it.
 */

export type GrafanaRole = 'Viewer' | 'Editor' | 'Admin';

export interface PluginRoute {
  path: string;
  method?: string;
  url: string;
  reqRole?: GrafanaRole;
  reqAction?: string;
  headers?: Array<{ name: string; content: string }>;
}

export interface PluginSettings {
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}

const RANK: Record<GrafanaRole, number> = { Viewer: 1, Editor: 2, Admin: 3 };

/** Grafana's roles nest: an Admin has Editor's and Viewer's rights. */
export const roleIncludes = (user: GrafanaRole, required: GrafanaRole) => RANK[user] >= RANK[required];

/** Matches a route path like `api/*` or `api/auth/users` (`:name` matches one segment). */
export function matchPath(pattern: string, path: string): { rest: string } | undefined {
  if (pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return path.startsWith(prefix) ? { rest: path.slice(prefix.length) } : undefined;
  }
  const want = pattern.split('/');
  const got = path.replace(/\/$/, '').split('/');
  if (want.length !== got.length) {
    return undefined;
  }
  return want.every((w, i) => w === got[i] || (w.startsWith(':') && got[i] !== ''))
    ? { rest: '' }
    : undefined;
}

export type RouteMatch =
  { ok: true; route: PluginRoute; rest: string } | { ok: false; status: 403 | 404; message: string };

export function matchRoute(
  routes: readonly PluginRoute[],
  method: string,
  path: string,
  role: GrafanaRole,
): RouteMatch {
  for (const route of routes) {
    const m = route.method ?? '';
    if (m !== '' && m !== '*' && m !== method.toUpperCase()) {
      continue;
    }
    const hit = matchPath(route.path, path);
    if (!hit) {
      continue;
    }
    if (route.reqRole && !roleIncludes(role, route.reqRole)) {
      return { ok: false, status: 403, message: 'plugin proxy route access denied' };
    }
    return { ok: true, route, rest: hit.rest };
  }
  return { ok: false, status: 404, message: 'plugin route match not found' };
}

/** Go template interpolation of `{{ .JsonData.x }}` and `{{ .SecureJsonData.y }}`; missing is `<no value>`. */
export function interpolate(template: string, settings: PluginSettings): string {
  return template.replace(
    /\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g,
    (_m, where: string, key: string) => {
      const bag: Record<string, unknown> = where === 'JsonData' ? settings.jsonData : settings.secureJsonData;
      const v = bag[key];
      return v === undefined || v === null ? '<no value>' : String(v);
    },
  );
}

/** Grafana's util.JoinURLFragments. */
export function joinUrlFragments(a: string, b: string): string {
  if (b.length === 0) {
    return a;
  }
  const aslash = a.endsWith('/');
  const bslash = b.startsWith('/');
  if (aslash && bslash) {
    return a + b.slice(1);
  }
  if (!aslash && !bslash) {
    return `${a}/${b}`;
  }
  return a + b;
}

/** Where the matched route sends the request, and the headers it adds. */
export function proxyTarget(
  match: { route: PluginRoute; rest: string },
  query: string,
  settings: PluginSettings,
): { url: string; headers: Record<string, string> } {
  const base = new URL(interpolate(match.route.url, settings));
  const url = `${base.protocol}//${base.host}${joinUrlFragments(base.pathname, match.rest)}${query ? `?${query.replace(/^\?/, '')}` : ''}`;
  const headers: Record<string, string> = {};
  for (const h of match.route.headers ?? []) {
    headers[h.name] = interpolate(h.content, settings);
  }
  return { url, headers };
}
