import { Router } from 'express';
import { z } from 'zod';
import { cpuTemperature, pickSensorChips } from '../metrics/sensors.js';
import type { SnapshotReader } from '../snapshots.js';
import type { CpuSnapshot } from '../sources/cpu/index.js';
import type { HostInfo } from '../sources/hostinfo/index.js';
import type { Loadavg } from '../sources/loadavg/index.js';
import type { MemorySnapshot } from '../sources/memory/index.js';
import { ApiRouter } from './route.js';

const num = z.number().nullable();

export const systemResponse = z.object({
  hostname: z.string().nullable(),
  kernel: z.string().nullable(),
  os: z.string().nullable(),
  pve_version: z.string().nullable().describe('pve-manager version; null off Proxmox'),
  uptime_seconds: num,
  boot_time: z.string().nullable().describe('ISO 8601'),
  load: z.object({ load1: num, load5: num, load15: num }),
  cpu: z.object({ count: num, usage_ratio: num }),
  memory: z.object({
    total_bytes: num,
    used_bytes: num,
    available_bytes: num,
    usage_ratio: num,
    zfs_arc_bytes: num.describe('null without ZFS'),
  }),
  swap: z.object({ total_bytes: num, used_bytes: num }),
  temperature_celsius: num.describe('hottest CPU sensor; null when the host exposes none'),
  /** Unknown values are null rather than guessed; this says which sources had nothing fresh. */
  stale_sources: z.array(z.string()),
});

export function createSystemRouter(snapshots: SnapshotReader): ApiRouter {
  const api = new ApiRouter('/api/system', Router(), 'system');
  api.route(
    {
      method: 'get',
      path: '/',
      auth: 'read',
      summary: 'Host overview: identity, uptime, load, CPU, memory, temperature',
      response: systemResponse,
    },
    () => {
      const info = snapshots.latest<HostInfo>('hostinfo');
      const cpu = snapshots.latest<CpuSnapshot>('cpu');
      const load = snapshots.latest<Loadavg>('loadavg');
      const mem = snapshots.latest<MemorySnapshot>('memory');
      const stale = ['hostinfo', 'cpu', 'loadavg', 'memory'].filter((s) => snapshots.latest(s) === undefined);
      const used = mem?.usedBytes;
      return {
        hostname: info?.hostname ?? null,
        kernel: info?.kernel ?? null,
        os: info?.os || null,
        pve_version: info?.pveVersion || null,
        uptime_seconds: info?.uptimeSeconds ?? null,
        boot_time:
          cpu?.bootTimeSeconds === undefined ? null : new Date(cpu.bootTimeSeconds * 1000).toISOString(),
        load: { load1: load?.load1 ?? null, load5: load?.load5 ?? null, load15: load?.load15 ?? null },
        cpu: { count: cpu?.cpuCount ?? null, usage_ratio: cpu?.usageRatio ?? null },
        memory: {
          total_bytes: mem?.totalBytes ?? null,
          used_bytes: used ?? null,
          available_bytes: mem?.availableBytes ?? null,
          usage_ratio: used !== undefined && mem?.totalBytes ? used / mem.totalBytes : null,
          zfs_arc_bytes: mem?.arc?.sizeBytes ?? null,
        },
        swap: { total_bytes: mem?.swapTotalBytes ?? null, used_bytes: mem?.swapUsedBytes ?? null },
        temperature_celsius: cpuTemperature(pickSensorChips(snapshots)),
        stale_sources: stale,
      };
    },
  );
  return api;
}
