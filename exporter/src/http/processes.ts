import { setTimeout as delay } from 'node:timers/promises';
import { Router } from 'express';
import type { z } from 'zod';
import {
  countOpenFiles,
  readCommands,
  sampleProcesses,
  type ProcessInfo,
  type ProcessSample,
  type ProcReader,
} from '../processes/sample.js';
import type { Result } from '../sources/source.js';
import { errors } from './errors.js';
import {
  processDetailResponse,
  processesQuery,
  processesResponse,
  processSchema,
} from './processes-schema.js';
import { ApiRouter } from './route.js';
import { isoFromMs, isoFromSeconds } from './source-status.js';

export interface ProcessesRouterDeps {
  reader: ProcReader;
  /** CPU sample window; 1 s like top's first refresh. */
  windowMs?: number;
  /** A finished sample is served to requests within this long, so a refreshing page costs one sample. */
  reuseMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function processView(
  p: ProcessInfo,
  cpus: number,
  command: string[] | undefined,
): z.input<typeof processSchema> {
  return {
    pid: p.pid,
    ppid: p.ppid,
    name: p.name,
    state: p.state,
    uid: nul(p.uid),
    user: nul(p.user),
    cpu_usage_ratio: nul(p.cpuRatio),
    cpu_cores: p.cpuRatio === undefined ? null : p.cpuRatio * cpus,
    memory_resident_bytes: nul(p.residentBytes),
    memory_usage_ratio: nul(p.memoryRatio),
    memory_virtual_bytes: p.virtualBytes,
    threads: p.threads,
    priority: p.priority,
    nice: p.nice,
    cpu_seconds_total: p.cpuSecondsTotal,
    started_at: isoFromSeconds(p.startedAt),
    command: command && command.length > 0 ? command.join(' ') : `[${p.name}]`,
  };
}

const byCpu = (a: ProcessInfo, b: ProcessInfo) =>
  (b.cpuRatio ?? -1) - (a.cpuRatio ?? -1) ||
  (b.residentBytes ?? -1) - (a.residentBytes ?? -1) ||
  a.pid - b.pid;
const byMem = (a: ProcessInfo, b: ProcessInfo) =>
  (b.residentBytes ?? -1) - (a.residentBytes ?? -1) ||
  (b.cpuRatio ?? -1) - (a.cpuRatio ?? -1) ||
  a.pid - b.pid;

function unwrapProc<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  if (r.error.kind === 'absent') throw errors.unavailable(`no process table here: ${r.error.message}`);
  throw errors.unavailable(`cannot read the process table: ${r.error.message}`);
}

/** Running processes from /proc, measured over a short window (`top`'s view). */
export function createProcessesRouter(deps: ProcessesRouterDeps): ApiRouter {
  const { reader } = deps;
  const windowMs = deps.windowMs ?? 1000;
  const reuseMs = deps.reuseMs ?? 2000;
  const sleep = deps.sleep ?? ((ms: number) => delay(ms));
  const now = deps.now ?? Date.now;
  const api = new ApiRouter('/api/processes', Router(), 'processes');

  // Concurrent requests share one sample; each costs two walks of /proc.
  let inFlight: Promise<{ at: number; sample: Result<ProcessSample> }> | undefined;
  let last: { at: number; sample: Result<ProcessSample> } | undefined;
  const sample = async () => {
    if (last?.sample.ok && now() - last.at < reuseMs) return last;
    inFlight ??= sampleProcesses(reader, { windowMs, sleep })
      .then((s) => (last = { at: now(), sample: s }))
      .finally(() => (inFlight = undefined));
    return inFlight;
  };

  api.route(
    {
      method: 'get',
      path: '/',
      auth: 'read',
      summary: 'Top processes by CPU (over a 1 s sample) or resident memory, with user and command line',
      query: processesQuery,
      response: processesResponse,
    },
    async ({ query }) => {
      const { at, sample: result } = await sample();
      const s = unwrapProc(result);
      const top = [...s.processes].sort(query.sort === 'cpu' ? byCpu : byMem).slice(0, query.limit);
      const commands = await readCommands(
        reader,
        top.map((p) => p.pid),
      );
      return {
        captured_at: isoFromMs(at)!,
        window_seconds: nul(s.windowSeconds),
        cpus: s.cpus,
        memory_total_bytes: nul(s.memoryTotalBytes),
        total: s.processes.length,
        sort: query.sort,
        processes: top.map((p) => processView(p, s.cpus, commands.get(p.pid))),
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/:pid',
      auth: 'read',
      summary: 'One process from /proc: CPU over a 1 s sample, memory, threads, open files, command line',
      response: processDetailResponse,
    },
    async ({ params }) => {
      const raw = params.pid ?? '';
      if (!/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > 2 ** 31)
        throw errors.validation(`pid: must be a positive integer, got ${JSON.stringify(raw)}`);
      const pid = Number(raw);
      const s = unwrapProc(await sampleProcesses(reader, { windowMs, sleep, pids: [pid] }));
      const p = s.processes.find((x) => x.pid === pid);
      if (!p) throw errors.notFound(`no process ${pid}`);
      const [commands, openFiles] = await Promise.all([
        readCommands(reader, [pid]),
        countOpenFiles(reader, pid),
      ]);
      return {
        captured_at: isoFromMs(now())!,
        window_seconds: nul(s.windowSeconds),
        process: {
          ...processView(p, s.cpus, commands.get(pid)),
          open_files: nul(openFiles),
          memory_swap_bytes: nul(p.swapBytes),
        },
      };
    },
  );
  return api;
}
