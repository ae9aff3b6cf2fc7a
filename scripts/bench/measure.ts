import { httpGetText, sleep } from './http-get.js';
import { countSeries, createScraper, decodeBody, type Scrape, type Scraper } from './scrape.js';
import type { Server } from './server.js';
import { summarizeDurations, type LatencySummary } from './stats.js';

export interface Measurement extends LatencySummary {
  server: Server;
  scrapes: number;
  /** Counted in the last timed scrape. */
  series: number;
  wireBytes: number;
  encoding: string;
  /** Read right after the timed scrapes. */
  rssBytes: number;
  /** The last timed response, decoded. */
  metricsText: string;
}

/**
 * Scrapes the servers in turn (a, b, a, b, …) so that both see the same machine load, each over its
 * own keep-alive connection: `warmup` untimed rounds, then `scrapes` timed ones.
 */
export async function measureAlternately(
  servers: readonly Server[],
  { scrapes, warmup }: { scrapes: number; warmup: number },
): Promise<Measurement[]> {
  const scrapers = servers.map((server) => createScraper(server));
  try {
    const durations = servers.map(() => [] as bigint[]);
    const last: Array<Scrape | undefined> = servers.map(() => undefined);
    for (let round = 0; round < warmup + scrapes; round++) {
      for (const [i, server] of servers.entries()) {
        const result = await scrapeOrExplain(scrapers[i], server);
        if (round >= warmup) {
          durations[i]?.push(result.durationNs);
          last[i] = result;
        }
      }
    }
    return await Promise.all(
      servers.map(async (server, i): Promise<Measurement> => {
        const final = last[i];
        if (!final) throw new Error('no timed scrape');
        const metricsText = decodeBody(final);
        return {
          server,
          scrapes,
          ...summarizeDurations(durations[i] ?? []),
          series: countSeries(metricsText),
          wireBytes: final.wireBytes,
          encoding: final.encoding,
          rssBytes: await server.rssBytes(),
          metricsText,
        };
      }),
    );
  } finally {
    for (const scraper of scrapers) scraper.close();
  }
}

async function scrapeOrExplain(scraper: Scraper | undefined, server: Server): Promise<Scrape> {
  try {
    if (!scraper) throw new Error('no scraper');
    return await scraper.scrape();
  } catch (error) {
    const state = server.exitStatus() ?? 'still running';
    throw new Error(
      `scraping ${server.name} failed: ${(error as Error).message} (server ${state})\n` +
        `--- ${server.name} log (last lines) ---\n${await server.logTail()}`,
    );
  }
}

/**
 * Waits until the series count has not changed for `quietMs` (sources have reported at least once),
 * at most `maxMs`. Returns the count and whether it settled.
 */
export async function waitForStableSeries(
  server: Server,
  { quietMs, maxMs }: { quietMs: number; maxMs: number },
): Promise<{ series: number; settled: boolean; elapsedMs: number }> {
  const started = Date.now();
  let series = -1;
  let unchangedSince = started;
  while (Date.now() - started < maxMs) {
    const { status, body } = await httpGetText(server, '/metrics', 5_000);
    if (status !== 200) throw new Error(`${server.name}: GET /metrics answered ${status}`);
    const now = Date.now();
    const current = countSeries(body);
    if (current !== series) {
      series = current;
      unchangedSince = now;
    } else if (now - unchangedSince >= quietMs) {
      return { series, settled: true, elapsedMs: now - started };
    }
    await sleep(250);
  }
  return { series, settled: false, elapsedMs: Date.now() - started };
}
