import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'fs';
import path from 'path';

/** Where the harness page is built; git-ignored with the screenshots. */
export const HARNESS_OUT = path.resolve(__dirname, '..', 'test-artifacts', 'harness-build');

const INDEX = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>proxmon browser harness</title>
    <link rel="stylesheet" href="/harness.css" />
    <!-- Grafana's global styles make the page a fixed-height box; the screenshots want all of it. -->
    <style>
      html,
      body {
        height: auto !important;
        overflow: visible !important;
      }
    </style>
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="/harness.js"></script>
  </body>
</html>
`;

/**
 * Bundles harness/src/main.tsx (the plugin's pages with real @grafana/ui, React and xterm) for the
 * browser with esbuild: what webpack leaves to Grafana as externals is bundled here.
 */
export async function buildHarness(outDir = HARNESS_OUT): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { harness: path.join(__dirname, 'src', 'main.tsx') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    jsx: 'automatic',
    sourcemap: true,
    minify: false,
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    loader: {
      '.svg': 'file',
      '.png': 'file',
      '.gif': 'file',
      '.woff': 'file',
      '.woff2': 'file',
      '.ttf': 'file',
      '.eot': 'file',
    },
    assetNames: 'assets/[name]-[hash]',
  });
  writeFileSync(path.join(outDir, 'index.html'), INDEX);
  return outDir;
}
