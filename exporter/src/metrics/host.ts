import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import { CPU_MODES, CPU_SOURCE, type CpuSnapshot } from '../sources/cpu/index.js';
import { DISKSTATS_SOURCE, type DiskstatsEntry, type DiskstatsSnapshot } from '../sources/diskstats/index.js';
import { LOADAVG_SOURCE, type Loadavg } from '../sources/loadavg/index.js';
import { MEMORY_SOURCE, type MemorySnapshot } from '../sources/memory/index.js';
import { PRESSURE_RESOURCES, PRESSURE_SOURCE, type PressureSnapshot } from '../sources/pressure/index.js';
import { snapshotCounter, snapshotGauge } from './define.js';
import { perCpuEnabled, type PerCpuSetting } from './per-cpu.js';

export const metricNames = [
  'proxmon_cpu_count',
  'proxmon_cpu_seconds_total',
  'proxmon_cpu_guest_seconds_total',
  'proxmon_cpu_usage_ratio',
  'proxmon_cpu_core_seconds_total',
  'proxmon_boot_time_seconds',
  'proxmon_context_switches_total',
  'proxmon_interrupts_total',
  'proxmon_forks_total',
  'proxmon_procs_running',
  'proxmon_procs_blocked',
  'proxmon_load1',
  'proxmon_load5',
  'proxmon_load15',
  'proxmon_memory_total_bytes',
  'proxmon_memory_available_bytes',
  'proxmon_memory_used_bytes',
  'proxmon_memory_free_bytes',
  'proxmon_memory_buffers_bytes',
  'proxmon_memory_cached_bytes',
  'proxmon_memory_shared_bytes',
  'proxmon_memory_dirty_bytes',
  'proxmon_memory_hugepages_bytes',
  'proxmon_memory_hugepages_free_bytes',
  'proxmon_memory_zfs_arc_bytes',
  'proxmon_memory_meminfo_bytes',
  'proxmon_memory_meminfo_pages',
  'proxmon_swap_total_bytes',
  'proxmon_swap_used_bytes',
  'proxmon_zfs_arc_size_bytes',
  'proxmon_zfs_arc_target_bytes',
  'proxmon_zfs_arc_min_bytes',
  'proxmon_zfs_arc_max_bytes',
  'proxmon_pressure_waiting_seconds_total',
  'proxmon_pressure_stalled_seconds_total',
  'proxmon_disk_reads_completed_total',
  'proxmon_disk_writes_completed_total',
  'proxmon_disk_read_bytes_total',
  'proxmon_disk_written_bytes_total',
  'proxmon_disk_read_time_seconds_total',
  'proxmon_disk_write_time_seconds_total',
  'proxmon_disk_io_time_seconds_total',
  'proxmon_disk_io_weighted_time_seconds_total',
  'proxmon_disk_io_in_progress',
  'proxmon_disk_discarded_bytes_total',
  'proxmon_disk_reads_merged_total',
  'proxmon_disk_writes_merged_total',
  'proxmon_disk_discards_completed_total',
  'proxmon_disk_discards_merged_total',
  'proxmon_disk_discard_time_seconds_total',
  'proxmon_disk_flush_requests_total',
  'proxmon_disk_flush_time_seconds_total',
] as const;

type MetricName = (typeof metricNames)[number];

/**
 * The only /proc/meminfo fields without a `kB` unit are the HugePages_* counts (hugetlb_report_meminfo);
 * the memory parser stores those as counts and every other field in bytes.
 */
const isPageCount = (field: string) => field.startsWith('HugePages_');

/** Kernel field name as a label value: `Active(anon)` -> `Active_anon`, anything odd -> `_`. */
const meminfoFieldLabel = (field: string) =>
  field.replace(/\(([^)]*)\)/g, '_$1').replace(/[^A-Za-z0-9_]/g, '_');

export interface HostMetricsOptions {
  /** Per-CPU series (`proxmon_cpu_core_seconds_total{cpu,mode}`): 8 per core, so bounded by `auto`. */
  perCpu?: PerCpuSetting;
}

/** CPU, load, memory (with the ZFS ARC), pressure and disk I/O, from the /proc sources. */
export function registerHostMetrics(
  registry: Registry,
  snapshots: SnapshotReader,
  options: HostMetricsOptions = {},
): void {
  const cpu = () => snapshots.latest<CpuSnapshot>(CPU_SOURCE);
  const load = () => snapshots.latest<Loadavg>(LOADAVG_SOURCE);
  const memory = () => snapshots.latest<MemorySnapshot>(MEMORY_SOURCE);

  const gauge = (name: MetricName, help: string, read: () => number | undefined) =>
    snapshotGauge(registry, { name, help }, (emit) => emit({}, read()));
  const counter = (name: MetricName, help: string, read: () => number | undefined) =>
    snapshotCounter(registry, { name, help }, (emit) => emit({}, read()));

  gauge('proxmon_cpu_count', 'Online CPUs (cpuN lines in /proc/stat)', () => cpu()?.cpuCount);
  snapshotCounter(
    registry,
    { name: 'proxmon_cpu_seconds_total', help: 'CPU time per mode, summed over CPUs', labelNames: ['mode'] },
    (emit) => {
      const seconds = cpu()?.total.seconds;
      for (const mode of CPU_MODES) emit({ mode }, seconds?.[mode]);
    },
  );
  snapshotCounter(
    registry,
    {
      name: 'proxmon_cpu_guest_seconds_total',
      help: 'CPU time running guests (VMs), summed over CPUs; already included in cpu_seconds_total user/nice',
      labelNames: ['mode'],
    },
    (emit) => {
      const total = cpu()?.total;
      emit({ mode: 'user' }, total?.guestSeconds);
      emit({ mode: 'nice' }, total?.guestNiceSeconds);
    },
  );
  gauge(
    'proxmon_cpu_usage_ratio',
    'Busy share of CPU time over the last sample window (0-1)',
    () => cpu()?.usageRatio,
  );
  if (options.perCpu !== undefined && options.perCpu !== false) {
    snapshotCounter(
      registry,
      {
        name: 'proxmon_cpu_core_seconds_total',
        help: 'CPU time per CPU and mode',
        labelNames: ['cpu', 'mode'],
      },
      (emit) => {
        const stat = cpu();
        if (!perCpuEnabled(options.perCpu, stat?.cpuCount)) return;
        for (const core of stat?.perCpu ?? []) {
          for (const mode of CPU_MODES) emit({ cpu: core.cpu, mode }, core.seconds[mode]);
        }
      },
    );
  }
  gauge('proxmon_boot_time_seconds', 'Boot time, seconds since the epoch', () => cpu()?.bootTimeSeconds);
  counter('proxmon_context_switches_total', 'Context switches since boot', () => cpu()?.contextSwitches);
  counter('proxmon_interrupts_total', 'Interrupts serviced since boot', () => cpu()?.interrupts);
  counter('proxmon_forks_total', 'Processes and threads created since boot', () => cpu()?.forks);
  gauge('proxmon_procs_running', 'Runnable threads', () => cpu()?.procsRunning);
  gauge('proxmon_procs_blocked', 'Threads blocked waiting for I/O', () => cpu()?.procsBlocked);

  gauge('proxmon_load1', '1-minute load average', () => load()?.load1);
  gauge('proxmon_load5', '5-minute load average', () => load()?.load5);
  gauge('proxmon_load15', '15-minute load average', () => load()?.load15);

  gauge('proxmon_memory_total_bytes', 'Usable RAM (MemTotal)', () => memory()?.totalBytes);
  gauge(
    'proxmon_memory_available_bytes',
    'RAM available without swapping (MemAvailable)',
    () => memory()?.availableBytes,
  );
  gauge(
    'proxmon_memory_used_bytes',
    'total - available; includes the ZFS ARC, which MemAvailable does not count as available',
    () => memory()?.usedBytes,
  );
  gauge('proxmon_memory_free_bytes', 'Unused RAM (MemFree)', () => memory()?.freeBytes);
  gauge('proxmon_memory_buffers_bytes', 'Block device buffers (Buffers)', () => memory()?.buffersBytes);
  gauge('proxmon_memory_cached_bytes', 'Page cache (Cached)', () => memory()?.cachedBytes);
  gauge('proxmon_memory_shared_bytes', 'tmpfs and shared memory (Shmem)', () => memory()?.sharedBytes);
  gauge(
    'proxmon_memory_dirty_bytes',
    'Memory waiting to be written back to disk (Dirty)',
    () => memory()?.dirtyBytes,
  );
  gauge('proxmon_memory_hugepages_bytes', 'Reserved default-size huge pages', () => memory()?.hugepagesBytes);
  gauge(
    'proxmon_memory_hugepages_free_bytes',
    'Reserved huge pages not in use',
    () => memory()?.hugepagesFreeBytes,
  );
  gauge(
    'proxmon_memory_zfs_arc_bytes',
    'ZFS ARC size (counted in used memory)',
    () => memory()?.arc?.sizeBytes,
  );
  const meminfo = (name: MetricName, help: string, pages: boolean) =>
    snapshotGauge(registry, { name, help, labelNames: ['field'] }, (emit) => {
      const fields = memory()?.fields ?? {};
      for (const field in fields) {
        if (isPageCount(field) === pages) emit({ field: meminfoFieldLabel(field) }, fields[field]);
      }
    });
  meminfo(
    'proxmon_memory_meminfo_bytes',
    'Every kB field of /proc/meminfo, in bytes, by kernel name (Active(anon) -> Active_anon)',
    false,
  );
  meminfo('proxmon_memory_meminfo_pages', 'The unit-less HugePages_* counts of /proc/meminfo', true);
  gauge('proxmon_swap_total_bytes', 'Swap space (SwapTotal)', () => memory()?.swapTotalBytes);
  gauge('proxmon_swap_used_bytes', 'Swap in use (SwapTotal - SwapFree)', () => memory()?.swapUsedBytes);
  gauge('proxmon_zfs_arc_size_bytes', 'ZFS ARC size', () => memory()?.arc?.sizeBytes);
  gauge('proxmon_zfs_arc_target_bytes', 'ZFS ARC target size (c)', () => memory()?.arc?.targetBytes);
  gauge('proxmon_zfs_arc_min_bytes', 'ZFS ARC minimum size (c_min)', () => memory()?.arc?.minBytes);
  gauge('proxmon_zfs_arc_max_bytes', 'ZFS ARC maximum size (c_max)', () => memory()?.arc?.maxBytes);

  const pressure = (name: MetricName, help: string, line: 'some' | 'full') =>
    snapshotCounter(registry, { name, help, labelNames: ['resource'] }, (emit) => {
      const psi = snapshots.latest<PressureSnapshot>(PRESSURE_SOURCE);
      for (const resource of PRESSURE_RESOURCES) emit({ resource }, psi?.[resource]?.[line]?.totalSeconds);
    });
  pressure(
    'proxmon_pressure_waiting_seconds_total',
    'Time some tasks stalled on the resource (PSI some)',
    'some',
  );
  pressure(
    'proxmon_pressure_stalled_seconds_total',
    'Time all non-idle tasks stalled at once (PSI full)',
    'full',
  );

  const disk = (
    kind: 'gauge' | 'counter',
    name: MetricName,
    help: string,
    pick: (d: DiskstatsEntry) => number | undefined,
  ) =>
    (kind === 'gauge' ? snapshotGauge : snapshotCounter)(
      registry,
      { name, help, labelNames: ['device'] },
      (emit) => {
        for (const d of snapshots.latest<DiskstatsSnapshot>(DISKSTATS_SOURCE)?.disks ?? [])
          emit({ device: d.name }, pick(d));
      },
    );
  disk('counter', 'proxmon_disk_reads_completed_total', 'Reads completed', (d) => d.readsCompleted);
  disk('counter', 'proxmon_disk_writes_completed_total', 'Writes completed', (d) => d.writesCompleted);
  disk('counter', 'proxmon_disk_read_bytes_total', 'Bytes read', (d) => d.readBytes);
  disk('counter', 'proxmon_disk_written_bytes_total', 'Bytes written', (d) => d.writtenBytes);
  disk(
    'counter',
    'proxmon_disk_read_time_seconds_total',
    'Time spent on reads, summed over reads',
    (d) => d.readTimeSeconds,
  );
  disk(
    'counter',
    'proxmon_disk_write_time_seconds_total',
    'Time spent on writes, summed over writes',
    (d) => d.writeTimeSeconds,
  );
  disk(
    'counter',
    'proxmon_disk_io_time_seconds_total',
    'Time with at least one I/O in flight',
    (d) => d.ioTimeSeconds,
  );
  disk(
    'counter',
    'proxmon_disk_io_weighted_time_seconds_total',
    'I/O time weighted by the number of I/Os in flight',
    (d) => d.ioWeightedTimeSeconds,
  );
  disk('gauge', 'proxmon_disk_io_in_progress', 'I/Os in flight now', (d) => d.ioInProgress);
  disk(
    'counter',
    'proxmon_disk_discarded_bytes_total',
    'Bytes discarded (Linux 4.18+)',
    (d) => d.discardedBytes,
  );
  disk('counter', 'proxmon_disk_reads_merged_total', 'Adjacent reads merged into one', (d) => d.readsMerged);
  disk(
    'counter',
    'proxmon_disk_writes_merged_total',
    'Adjacent writes merged into one',
    (d) => d.writesMerged,
  );
  disk(
    'counter',
    'proxmon_disk_discards_completed_total',
    'Discards (TRIM) completed (Linux 4.18+)',
    (d) => d.discardsCompleted,
  );
  disk(
    'counter',
    'proxmon_disk_discards_merged_total',
    'Adjacent discards merged into one (Linux 4.18+)',
    (d) => d.discardsMerged,
  );
  disk(
    'counter',
    'proxmon_disk_discard_time_seconds_total',
    'Time spent on discards, summed over discards (Linux 4.18+)',
    (d) => d.discardTimeSeconds,
  );
  disk(
    'counter',
    'proxmon_disk_flush_requests_total',
    'Cache flush requests completed (Linux 5.5+)',
    (d) => d.flushesCompleted,
  );
  disk(
    'counter',
    'proxmon_disk_flush_time_seconds_total',
    'Time spent on cache flushes (Linux 5.5+)',
    (d) => d.flushTimeSeconds,
  );
}
