import { describe, expect, it } from 'vitest';
import { OutputFlow } from './output-flow.js';

function harness(rate: number) {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  const events: string[] = [];
  const flow = new OutputFlow({
    bytesPerSecond: rate,
    highWaterBytes: 1000,
    lowWaterBytes: 100,
    pause: () => events.push('pause'),
    resume: () => events.push('resume'),
    now: () => now,
    setTimer: (fn, ms) => {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return { cancel: () => (t.live = false) };
    },
  });
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((t) => t.live && t.at <= now)) {
      t.live = false;
      t.fn();
    }
  };
  return { flow, events, advance };
}

describe('OutputFlow', () => {
  it('lets one second of output through, then pauses until the bucket refills', () => {
    const { flow, events, advance } = harness(10_000);
    flow.sent(6000, 0);
    flow.sent(4000, 0);
    expect(events).toEqual([]);
    flow.sent(5000, 0);
    expect(events).toEqual(['pause']);
    advance(400);
    expect(events).toEqual(['pause']);
    advance(100);
    expect(events).toEqual(['pause', 'resume']);
    expect(flow.isPaused).toBe(false);
  });

  it('pauses while the socket buffers more than the high-water mark, until it drains below low-water', () => {
    const { flow, events } = harness(1_000_000);
    flow.sent(10, 5000);
    expect(events).toEqual(['pause']);
    flow.drained(500);
    expect(events).toEqual(['pause']);
    flow.drained(50);
    expect(events).toEqual(['pause', 'resume']);
  });

  it('stays paused while either reason holds', () => {
    const { flow, events, advance } = harness(1000);
    flow.sent(3000, 5000);
    expect(events).toEqual(['pause']);
    advance(2000);
    expect(events).toEqual(['pause']);
    flow.drained(0);
    expect(events).toEqual(['pause', 'resume']);
  });

  it('stop cancels the pending refill', () => {
    const { flow, events, advance } = harness(1000);
    flow.sent(2000, 0);
    flow.stop();
    advance(5000);
    expect(events).toEqual(['pause']);
  });
});
