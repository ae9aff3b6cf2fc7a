import { fail, ok, type Result } from '../source.js';

export interface Loadavg {
  load1: number;
  load5: number;
  load15: number;
  /** Runnable threads right now, and all threads (the `2/90` field). */
  runningThreads?: number;
  totalThreads?: number;
}

const decimal = (token: string | undefined): number | undefined =>
  token !== undefined && /^\d{1,12}(\.\d{1,12})?$/.test(token) ? Number(token) : undefined;

/** Parses /proc/loadavg, e.g. `0.35 0.26 0.12 2/90 3665`. */
export function parseLoadavg(text: string): Result<Loadavg> {
  const [t1, t5, t15, threads] = text.trim().split(/\s+/);
  const load1 = decimal(t1);
  const load5 = decimal(t5);
  const load15 = decimal(t15);
  if (load1 === undefined || load5 === undefined || load15 === undefined) {
    return fail(
      'parse',
      `/proc/loadavg: expected three load averages, got ${JSON.stringify(text.slice(0, 60))}`,
    );
  }
  const match = /^(\d{1,12})\/(\d{1,12})$/.exec(threads ?? '');
  return ok({
    load1,
    load5,
    load15,
    runningThreads: match ? Number(match[1]) : undefined,
    totalThreads: match ? Number(match[2]) : undefined,
  });
}
