import { createReadStream, existsSync, statSync } from 'fs';
import type { IncomingMessage, ServerResponse } from 'http';
import path from 'path';
import { startGrafanaStandIn, type GrafanaStandIn } from '../src/terminal/testing/grafanaServer';
import { buildHarness } from './build';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

/** Grafana serves @grafana/ui's icons at public/build/img/icons/; the package ships most of them. */
const ICONS = path.join(
  path.dirname(require.resolve('@grafana/ui/package.json')),
  'dist',
  'public',
  'img',
  'icons',
);
const ICON_PREFIX = '/public/build/img/icons/';
/** The header that marks a stand-in icon, so the browser test can list them. */
export const PLACEHOLDER_HEADER = 'x-harness-placeholder';

/**
 * Grafana's server has icons the npm package leaves out (e.g. spinner, heart-rate, ai): for those the
 * harness draws an open ring in the text colour, which reads as a spinner and as "an icon here".
 */
const PLACEHOLDER_ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor" ' +
  'stroke-width="2.5" stroke-linecap="round"><path d="M12 3a9 9 0 1 1-9 9"/></svg>';

/** A file below `root`, or undefined for anything outside it or missing. */
function fileUnder(root: string, rel: string): string | undefined {
  const file = path.resolve(root, `.${path.posix.normalize(`/${rel}`)}`);
  if (!file.startsWith(`${root}${path.sep}`) || !existsSync(file) || !statSync(file).isFile()) {
    return undefined;
  }
  return file;
}

function serveFile(res: ServerResponse, file: string): void {
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-store',
  });
  createReadStream(file).pipe(res);
}

export interface Harness {
  url: string;
  grafana: GrafanaStandIn;
  close: () => Promise<void>;
}

/**
 * The harness: its page (built now), @grafana/ui's icons, and the Grafana stand-in (settings API and
 * plugin proxy with WebSocket upgrades) in front of `exporter`, on one loopback origin.
 */
export async function startHarness(exporter: {
  url: string;
  readToken: string;
  adminToken: string;
}): Promise<Harness> {
  const out = await buildHarness();
  const serveStatic = (req: IncomingMessage, res: ServerResponse) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const isIcon = pathname.startsWith(ICON_PREFIX);
    const file = isIcon
      ? fileUnder(ICONS, pathname.slice(ICON_PREFIX.length))
      : fileUnder(out, pathname === '/' ? 'index.html' : pathname.slice(1));
    if (!file && isIcon && pathname.endsWith('.svg')) {
      res.writeHead(200, { 'content-type': 'image/svg+xml', [PLACEHOLDER_HEADER]: 'icon' });
      res.end(PLACEHOLDER_ICON);
      return;
    }
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`not found: ${pathname}`);
      return;
    }
    serveFile(res, file);
  };
  const grafana = await startGrafanaStandIn({ exporter, fallback: serveStatic });
  return { url: grafana.url, grafana, close: () => grafana.close() };
}
