import { fail, ok, type Result } from '../source.js';

export interface PingRtt {
  minSeconds: number;
  avgSeconds: number;
  maxSeconds: number;
  /** iputils' mdev; busybox prints none. */
  mdevSeconds?: number;
}

export interface PingSummary {
  transmitted: number;
  received: number;
  lossRatio: number;
  /** Absent when nothing came back (no rtt line is printed then). */
  rtt?: PingRtt;
}

// Decimal exponents, applied in the text ("0.042e-3") so the value is the nearest double to the
// printed one; 0.042 * 1e-3 would carry a rounding error into the metric.
const SECONDS_EXPONENT: Record<string, number> = { s: 0, ms: -3, us: -6, µs: -6 };

/**
 * Parses the statistics block ping prints at the end (iputils and busybox):
 * "5 packets transmitted, 3 received, 40% packet loss, time 812ms" and
 * "rtt min/avg/max/mdev = 11.183/24.907/48.920/16.965 ms" (busybox: "round-trip min/avg/max = …").
 */
export function parsePingSummary(text: string): Result<PingSummary> {
  const counts = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(text);
  if (!counts) return fail('parse', 'ping: no "packets transmitted" summary');
  const transmitted = Number(counts[1]);
  const received = Number(counts[2]);
  const printedLoss = /([\d.]+)% packet loss/.exec(text);
  let lossRatio: number;
  if (printedLoss) lossRatio = Number(printedLoss[1]) / 100;
  else if (transmitted > 0) lossRatio = (transmitted - received) / transmitted;
  else return fail('parse', 'ping: nothing was transmitted');
  if (!Number.isFinite(lossRatio)) return fail('parse', `ping: bad packet loss ${printedLoss?.[1] ?? ''}`);
  const summary: PingSummary = { transmitted, received, lossRatio: Math.min(1, Math.max(0, lossRatio)) };

  const rtt = parseRttLine(text);
  if (rtt) summary.rtt = rtt;
  return ok(summary);
}

function parseRttLine(text: string): PingRtt | undefined {
  const m = /^(?:rtt|round-trip) ([a-z]+(?:\/[a-z]+)+) = ([\d.]+(?:\/[\d.]+)+) ?(s|ms|us|µs)\b/m.exec(text);
  if (!m) return undefined;
  const names = (m[1] as string).split('/');
  const exponent = SECONDS_EXPONENT[m[3] ?? 'ms'] as number;
  const values = (m[2] as string).split('/').map((v) => Number(`${v}e${exponent}`));
  const get = (name: string) => {
    const v = values[names.indexOf(name)];
    return v === undefined || !Number.isFinite(v) ? undefined : v;
  };
  const [minSeconds, avgSeconds, maxSeconds] = [get('min'), get('avg'), get('max')];
  if (minSeconds === undefined || avgSeconds === undefined || maxSeconds === undefined) return undefined;
  const rtt: PingRtt = { minSeconds, avgSeconds, maxSeconds };
  const mdev = get('mdev') ?? get('stddev');
  if (mdev !== undefined) rtt.mdevSeconds = mdev;
  return rtt;
}

const RTF_UP = 0x1;
const RTF_GATEWAY = 0x2;

/**
 * The IPv4 default gateway from /proc/net/route: among up routes to 0.0.0.0/0 via a gateway, the one
 * with the lowest metric. Addresses there are hex in host (little-endian) byte order.
 */
export function parseDefaultGateway(text: string): string | undefined {
  let best: { address: string; metric: number } | undefined;
  for (const line of text.split('\n').slice(1)) {
    const [, destination, gateway, flags, , , metric, mask] = line.trim().split(/\s+/);
    if (destination !== '00000000' || mask !== '00000000' || !gateway || !flags || !metric) continue;
    const flagBits = parseInt(flags, 16);
    if ((flagBits & RTF_UP) === 0 || (flagBits & RTF_GATEWAY) === 0) continue;
    const address = hexToIPv4(gateway);
    const metricValue = Number(metric);
    if (address === undefined || address === '0.0.0.0' || !Number.isInteger(metricValue)) continue;
    if (!best || metricValue < best.metric) best = { address, metric: metricValue };
  }
  return best?.address;
}

function hexToIPv4(hex: string): string | undefined {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) return undefined;
  const bytes = [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return bytes.join('.');
}
