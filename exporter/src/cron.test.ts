import { afterEach, describe, expect, it, vi } from 'vitest';
import { isCronExpression, scheduleCron, type CronTask } from './cron.js';

const tasks: CronTask[] = [];
afterEach(() => {
  for (const t of tasks.splice(0)) t.stop();
  vi.restoreAllMocks();
});

describe('isCronExpression', () => {
  it('takes five fields, or six with seconds first, and refuses anything else', () => {
    for (const ok of ['*/5 * * * *', '0 3 * * sun', '15 */5 * * * *', '0 0,30 2 1-15 jan,jul mon-fri'])
      expect(isCronExpression(ok), ok).toBe(true);
    for (const bad of [
      '',
      'every day',
      '* * * *',
      '0 0 0 * * * 2030',
      '61 * * * *',
      '*/0 * * * *',
      '* * 32 * *',
    ])
      expect(isCronExpression(bad), bad).toBe(false);
  });
});

describe('scheduleCron', () => {
  it('runs on the schedule, skips a run while the last one is still going, and stops', async () => {
    let started = 0;
    let release: () => void = () => {};
    tasks.push(
      scheduleCron('* * * * * *', () => {
        started++;
        return new Promise<void>((resolve) => (release = resolve));
      }),
    );
    await vi.waitFor(() => expect(started).toBe(1), { timeout: 3000, interval: 50 });
    // The first run holds on through the next two due times: no second run starts meanwhile.
    await new Promise((r) => setTimeout(r, 2200));
    expect(started).toBe(1);
    release();
    await vi.waitFor(() => expect(started).toBe(2), { timeout: 3000, interval: 50 });
    release();
    tasks[0]!.stop();
    const after = started;
    await new Promise((r) => setTimeout(r, 1500));
    expect(started).toBe(after);
  });

  it('never formats dates through Intl, which would page ICU data into the process', async () => {
    const formatters = vi.spyOn(Intl, 'DateTimeFormat');
    let runs = 0;
    tasks.push(scheduleCron('* * * * * *', () => void runs++));
    await vi.waitFor(() => expect(runs).toBeGreaterThanOrEqual(1), { timeout: 3000, interval: 50 });
    expect(formatters).not.toHaveBeenCalled();
  });

  it('turns an error that escapes a run into a warning, not a crash', async () => {
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    tasks.push(
      scheduleCron('* * * * * *', () => {
        throw new Error('boom');
      }),
    );
    await vi.waitFor(() => expect(warnings).toHaveBeenCalledWith(expect.stringContaining('boom')), {
      timeout: 3000,
      interval: 50,
    });
  });
});
