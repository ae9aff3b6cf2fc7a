import { Agent, request } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface Endpoint {
  host: string;
  port: number;
}

export interface Scrape {
  /** From sending the request to receiving the last byte of the body. */
  durationNs: bigint;
  /** Body size as transferred (compressed when the server gzips). */
  wireBytes: number;
  encoding: string;
  body: Buffer;
}

export interface Scraper {
  scrape(): Promise<Scrape>;
  close(): void;
}

// What Prometheus sends, minus OpenMetrics: both servers then answer in the classic text format,
// so series are counted the same way on both sides.
const SCRAPE_HEADERS = {
  Accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1',
  'Accept-Encoding': 'gzip',
  'User-Agent': 'proxmon-bench',
};
const SCRAPE_TIMEOUT_MS = 10_000;

/** One keep-alive connection per target, like a Prometheus scrape loop. */
export function createScraper({ host, port }: Endpoint): Scraper {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const scrape = () =>
    new Promise<Scrape>((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = request(
        { host, port, path: '/metrics', agent, headers: SCRAPE_HEADERS, timeout: SCRAPE_TIMEOUT_MS },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const durationNs = process.hrtime.bigint() - started;
            if (res.statusCode !== 200) return reject(new Error(`GET /metrics answered ${res.statusCode}`));
            const body = Buffer.concat(chunks);
            const encoding = res.headers['content-encoding'] ?? 'identity';
            resolve({ durationNs, wireBytes: body.length, encoding, body });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`GET /metrics took over ${SCRAPE_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end();
    });
  return { scrape, close: () => agent.destroy() };
}

export function decodeBody({ body, encoding }: Scrape): string {
  if (encoding === 'identity') return body.toString('utf8');
  if (encoding === 'gzip') return gunzipSync(body).toString('utf8');
  throw new Error(`unexpected Content-Encoding ${encoding}`);
}

/** Sample lines of the text exposition format: everything but blank lines and # comments. */
export function countSeries(text: string): number {
  let count = 0;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) count++;
  }
  return count;
}
