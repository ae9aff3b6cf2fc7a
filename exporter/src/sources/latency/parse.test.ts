import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDefaultGateway, parsePingSummary } from './parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parsePingSummary', () => {
  it('reads iputils ping to 127.0.0.1 with every reply back', () => {
    const r = parsePingSummary(fixture('ping-127.0.0.1-ok.txt'));
    expect(r).toEqual({
      ok: true,
      value: {
        transmitted: 5,
        received: 5,
        lossRatio: 0,
        rtt: { minSeconds: 0.042e-3, avgSeconds: 0.053e-3, maxSeconds: 0.072e-3, mdevSeconds: 0.01e-3 },
      },
    });
  });

  it('reads partial loss', () => {
    const r = parsePingSummary(fixture('ping-partial-loss-constructed.txt'));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({ transmitted: 5, received: 3, lossRatio: 0.4 });
    expect(r.value.rtt?.avgSeconds).toBeCloseTo(0.024907, 9);
    expect(r.value.rtt?.maxSeconds).toBeCloseTo(0.04892, 9);
  });

  it('reads total loss as loss 1 and no latency', () => {
    expect(parsePingSummary(fixture('ping-all-lost-constructed.txt'))).toEqual({
      ok: true,
      value: { transmitted: 5, received: 0, lossRatio: 1 },
    });
  });

  it('reads total loss with ICMP errors and a pipe line', () => {
    expect(parsePingSummary(fixture('ping-unreachable-errors-constructed.txt'))).toEqual({
      ok: true,
      value: { transmitted: 5, received: 0, lossRatio: 1 },
    });
  });

  it('reads busybox ping', () => {
    const r = parsePingSummary(fixture('ping-busybox-ok-constructed.txt'));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({ transmitted: 5, received: 5, lossRatio: 0 });
    expect(r.value.rtt?.mdevSeconds).toBeUndefined();
    expect(r.value.rtt?.avgSeconds).toBeCloseTo(0.000412, 12);
  });

  it('rejects output without a summary', () => {
    expect(parsePingSummary(fixture('ping-unknown-host-constructed.stderr.txt'))).toEqual({
      ok: false,
      error: { kind: 'parse', message: 'ping: no "packets transmitted" summary' },
    });
  });

  it('never throws on random input and keeps loss within 0-1', () => {
    const noisy = fc.oneof(
      fc.string(),
      fc
        .tuple(fc.nat(), fc.nat(), fc.string(), fc.string())
        .map(
          ([tx, rx, a, b]) =>
            `${a}${tx} packets transmitted, ${rx} received, ${b}% packet loss\nrtt ${a} = ${b}`,
        ),
    );
    fc.assert(
      fc.property(noisy, (text) => {
        const r = parsePingSummary(text);
        if (r.ok) {
          expect(r.value.lossRatio).toBeGreaterThanOrEqual(0);
          expect(r.value.lossRatio).toBeLessThanOrEqual(1);
        } else expect(r.error.kind).toBe('parse');
      }),
    );
  });
});

describe('parseDefaultGateway', () => {
  it('reads the default gateway of a recorded route table', () => {
    expect(parseDefaultGateway(fixture('proc-net-route-default-gw.txt'))).toBe('192.0.2.1');
  });

  it('picks the gateway route with the lowest metric', () => {
    expect(parseDefaultGateway(fixture('proc-net-route-two-defaults-constructed.txt'))).toBe('192.168.2.1');
  });

  it('finds none without a default route', () => {
    expect(parseDefaultGateway(fixture('proc-net-route-no-default-constructed.txt'))).toBeUndefined();
    expect(parseDefaultGateway('')).toBeUndefined();
  });

  it('never throws on random input and yields only dotted quads', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const gw = parseDefaultGateway(`Iface\tDestination\n${text}`);
        if (gw !== undefined) expect(gw).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/);
      }),
    );
  });
});
