import { describe, expect, it } from 'vitest';
import { createScheduler, type ScheduledSource } from './scheduler.js';
import { SnapshotCache } from './snapshots.js';
import { createExec } from './sources/exec.js';
import { readText } from './sources/read.js';
import { fail, ok, type Source } from './sources/source.js';
import { makeTools, memoryLogger, silentLogger } from './test-support/tools.js';

const paths = { procfs: '/proc', sysfs: '/sys', rootfs: '/' };

function setup(
  sources: ScheduledSource[],
  opts: { logger?: ReturnType<typeof silentLogger>; now?: () => number; absentRetrySeconds?: number } = {},
) {
  const snapshots = new SnapshotCache(opts.now);
  const scheduler = createScheduler({
    sources,
    snapshots,
    context: { paths, exec: createExec(), readText, now: Date.now },
    logger: opts.logger ?? silentLogger(),
    random: () => 0.5,
    absentRetrySeconds: opts.absentRetrySeconds,
  });
  const status = (name: string) => snapshots.statuses().find((s) => s.name === name)!;
  return { snapshots, scheduler, status };
}

const every = (source: Source, intervalSeconds = 60, timeoutSeconds = 1): ScheduledSource => ({
  source,
  intervalSeconds,
  timeoutSeconds,
});

describe('scheduler', () => {
  it('stores a successful value with its status', async () => {
    const { snapshots, scheduler, status } = setup([
      every({ name: 'x', intervalSeconds: 1, timeoutSeconds: 1, collect: async () => ok({ n: 1 }) }),
    ]);
    await scheduler.refresh('x');
    expect(snapshots.latest('x')).toEqual({ n: 1 });
    expect(status('x')).toMatchObject({ up: true, errorsTotal: 0, error: undefined });
  });

  it('kills a hung tool at the timeout, marks the source down and counts the error', async () => {
    const tools = makeTools({ hang: 'exec sleep 300' });
    const exec = createExec({ hang: tools.path('hang') });
    const source: Source = {
      name: 'hang',
      intervalSeconds: 1,
      timeoutSeconds: 1,
      collect: async (ctx) => {
        const r = await exec('hang', [], { timeoutMs: 400, signal: ctx.signal });
        return r.ok ? ok(r.value.stdout) : r;
      },
    };
    const { scheduler, status } = setup([every(source, 60, 5)]);
    const t0 = Date.now();
    await scheduler.refresh('hang');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(status('hang')).toMatchObject({ up: false, errorsTotal: 1, error: { kind: 'timeout' } });
    await scheduler.refresh('hang');
    expect(status('hang').errorsTotal).toBe(2);
  });

  it('bounds a source that ignores its abort signal, and never runs it twice at once', async () => {
    let running = 0;
    let maxRunning = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const source: Source = {
      name: 'stuck',
      intervalSeconds: 1,
      timeoutSeconds: 1,
      collect: async () => {
        maxRunning = Math.max(maxRunning, ++running);
        await gate; // ignores ctx.signal on purpose
        running--;
        return ok(1);
      },
    };
    const { scheduler, status } = setup([every(source, 60, 0.2)]);
    await scheduler.refresh('stuck');
    expect(status('stuck')).toMatchObject({ up: false, error: { kind: 'timeout' } });
    await scheduler.refresh('stuck');
    expect(status('stuck').error?.message).toMatch(/previous run still has not finished/);
    expect(maxRunning).toBe(1);
    release();
    await new Promise((r) => setTimeout(r, 10));
    await scheduler.refresh('stuck');
    expect(status('stuck')).toMatchObject({ up: true });
    expect(maxRunning).toBe(1);
  });

  it('joins a refresh already in flight instead of starting another', async () => {
    let calls = 0;
    const { scheduler } = setup([
      every({
        name: 'slow',
        intervalSeconds: 1,
        timeoutSeconds: 1,
        collect: async () => {
          calls++;
          await new Promise((r) => setTimeout(r, 50));
          return ok(calls);
        },
      }),
    ]);
    await Promise.all([scheduler.refresh('slow'), scheduler.refresh('slow'), scheduler.refresh('slow')]);
    expect(calls).toBe(1);
  });

  it('says once that a tool is not installed, without counting errors', async () => {
    const { logger, lines } = memoryLogger();
    const { scheduler, status } = setup(
      [
        every({
          name: 'ups',
          intervalSeconds: 1,
          timeoutSeconds: 1,
          collect: async () => fail('absent', 'upsc: not installed'),
        }),
      ],
      { logger },
    );
    for (let i = 0; i < 4; i++) await scheduler.refresh('ups');
    expect(lines.filter((l) => l.source === 'ups')).toHaveLength(1);
    expect(status('ups')).toMatchObject({ up: false, absent: true, errorsTotal: 0 });
  });

  it('turns an exception thrown by a source into a recorded failure', async () => {
    const { scheduler, status } = setup([
      every({
        name: 'buggy',
        intervalSeconds: 1,
        timeoutSeconds: 1,
        collect: async () => {
          throw new Error('boom');
        },
      }),
    ]);
    await scheduler.refresh('buggy');
    expect(status('buggy')).toMatchObject({
      up: false,
      errorsTotal: 1,
      error: { message: 'unexpected: boom' },
    });
  });

  it('keeps the last good value while fresh and drops it once stale', async () => {
    let now = 1_000_000;
    let good = true;
    const { snapshots, scheduler } = setup(
      [
        every(
          {
            name: 'flaky',
            intervalSeconds: 10,
            timeoutSeconds: 1,
            collect: async () => (good ? ok('v') : fail('exit', 'tool failed')),
          },
          10,
        ),
      ],
      { now: () => now },
    );
    await scheduler.refresh('flaky');
    good = false;
    now += 20_000;
    await scheduler.refresh('flaky');
    expect(snapshots.latest('flaky')).toBe('v'); // 20 s old, 3 intervals allowed
    now += 11_000;
    expect(snapshots.latest('flaky')).toBeUndefined();
  });

  it('looks for an absent tool less often, and returns to its cadence once it is there', async () => {
    const calls: number[] = [];
    const started = performance.now();
    const { scheduler, status } = setup(
      [
        every(
          {
            name: 'gpu',
            intervalSeconds: 0.05,
            timeoutSeconds: 1,
            collect: async () => {
              calls.push(performance.now() - started);
              return calls.length === 1 ? fail('absent', 'nvidia-smi: not installed') : ok(calls.length);
            },
          },
          0.05,
        ),
      ],
      { absentRetrySeconds: 0.3 },
    );
    scheduler.start();
    await new Promise((r) => setTimeout(r, 250));
    expect(calls).toHaveLength(1);
    expect(status('gpu')).toMatchObject({ absent: true });
    await new Promise((r) => setTimeout(r, 450));
    await scheduler.stop();
    // Back on its 50 ms cadence after the retry at ~0.3 s.
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls[1]).toBeGreaterThanOrEqual(250);
    expect(status('gpu')).toMatchObject({ up: true, absent: false });
  });

  it('refreshes in the background on its cadence and stops cleanly', async () => {
    let calls = 0;
    const { scheduler } = setup([
      every(
        { name: 'tick', intervalSeconds: 0.05, timeoutSeconds: 1, collect: async () => ok(++calls) },
        0.05,
      ),
    ]);
    scheduler.start();
    await new Promise((r) => setTimeout(r, 400));
    await scheduler.stop();
    const after = calls;
    expect(after).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toBe(after);
  });
});
