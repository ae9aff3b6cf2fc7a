import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import type { CpuSnapshot } from '../sources/cpu/index.js';
import { parseProcStat } from '../sources/cpu/parse.js';
import { cpuUsageRatio } from '../sources/cpu/usage.js';
import type { DiskstatsSnapshot } from '../sources/diskstats/index.js';
import { parseDiskstats } from '../sources/diskstats/parse.js';
import {
  DEFAULT_EXCLUDED_PREFIXES,
  isExcludedDevice,
  looksLikePartition,
} from '../sources/diskstats/select.js';
import { parseLoadavg } from '../sources/loadavg/parse.js';
import type { MemorySnapshot } from '../sources/memory/index.js';
import { parseArcstats, parseMeminfo } from '../sources/memory/parse.js';
import type { PressureSnapshot } from '../sources/pressure/index.js';
import { parsePressure } from '../sources/pressure/parse.js';
import type { Result } from '../sources/source.js';
import { metricNames, registerHostMetrics, type HostMetricsOptions } from './host.js';

const fixture = (source: string, name: string) =>
  readFileSync(new URL(`../sources/${source}/fixtures/${name}`, import.meta.url), 'utf8');

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** A PVE host with ZFS, VMs and swap, as its sources would have stored it. */
function pveHost(): SnapshotCache {
  const cache = new SnapshotCache(() => 1_000);
  const earlier = value(parseProcStat(fixture('cpu', 'proc-stat-debian12-vm-2cpu.txt')));
  const stat = value(parseProcStat(fixture('cpu', 'proc-stat-debian12-vm-2cpu-later.txt')));
  const cpu: CpuSnapshot = { ...stat, usageRatio: cpuUsageRatio(earlier.total, stat.total) };
  const memory: MemorySnapshot = {
    ...value(parseMeminfo(fixture('memory', 'proc-meminfo-pve-zfs-host-hugepages-constructed.txt'))),
    arc: value(parseArcstats(fixture('memory', 'proc-spl-kstat-zfs-arcstats-pve-small-constructed.txt'))),
  };
  const pressure: PressureSnapshot = {
    cpu: value(parsePressure(fixture('pressure', 'proc-pressure-cpu-kernel5.4-no-full-constructed.txt'))),
    io: value(parsePressure(fixture('pressure', 'proc-pressure-io-debian12-vm.txt'))),
    memory: value(parsePressure(fixture('pressure', 'proc-pressure-memory-debian12-vm.txt'))),
  };
  const entries = value(
    parseDiskstats(fixture('diskstats', 'proc-diskstats-pve6-kernel5.4-18fields-constructed.txt')),
  );
  const disks: DiskstatsSnapshot = {
    disks: entries.filter(
      (e) => !isExcludedDevice(e.name, DEFAULT_EXCLUDED_PREFIXES) && !looksLikePartition(e.name),
    ),
    wholeDiskRule: 'name-pattern',
  };
  const values: Record<string, unknown> = {
    cpu,
    loadavg: value(parseLoadavg(fixture('loadavg', 'proc-loadavg-debian12-vm.txt'))),
    memory,
    pressure,
    diskstats: disks,
  };
  for (const [name, v] of Object.entries(values)) {
    cache.register(name, 15_000);
    cache.recordSuccess(name, v, 0.01);
  }
  return cache;
}

async function render(cache: SnapshotCache, options?: HostMetricsOptions): Promise<string[]> {
  const registry = new Registry();
  registerHostMetrics(registry, cache, options);
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('host metrics', () => {
  it('renders every host series from fixture-parsed snapshots', async () => {
    const lines = await render(pveHost());
    // The full meminfo families have their own test below.
    expect(lines.filter((l) => !l.startsWith('proxmon_memory_meminfo_'))).toEqual([
      'proxmon_cpu_count 2',
      'proxmon_cpu_seconds_total{mode="user"} 123.76',
      'proxmon_cpu_seconds_total{mode="nice"} 0',
      'proxmon_cpu_seconds_total{mode="system"} 41.8',
      'proxmon_cpu_seconds_total{mode="idle"} 785.86',
      'proxmon_cpu_seconds_total{mode="iowait"} 2.01',
      'proxmon_cpu_seconds_total{mode="irq"} 0',
      'proxmon_cpu_seconds_total{mode="softirq"} 1.96',
      'proxmon_cpu_seconds_total{mode="steal"} 0',
      'proxmon_cpu_guest_seconds_total{mode="user"} 0',
      'proxmon_cpu_guest_seconds_total{mode="nice"} 0',
      'proxmon_cpu_usage_ratio 0.05454545454545454',
      'proxmon_boot_time_seconds 1795658489',
      'proxmon_context_switches_total 406647',
      'proxmon_interrupts_total 210196',
      'proxmon_forks_total 4587',
      'proxmon_procs_running 1',
      'proxmon_procs_blocked 0',
      'proxmon_load1 0.66',
      'proxmon_load5 0.34',
      'proxmon_load15 0.15',
      'proxmon_memory_total_bytes 67352707072',
      'proxmon_memory_available_bytes 11555565568',
      'proxmon_memory_used_bytes 55797141504',
      'proxmon_memory_free_bytes 3200618496',
      'proxmon_memory_buffers_bytes 428273664',
      'proxmon_memory_cached_bytes 7539109888',
      'proxmon_memory_shared_bytes 364666880',
      'proxmon_memory_dirty_bytes 5951488',
      'proxmon_memory_hugepages_bytes 8589934592',
      'proxmon_memory_hugepages_free_bytes 2147483648',
      'proxmon_memory_zfs_arc_bytes 6442450944',
      'proxmon_swap_total_bytes 8589930496',
      'proxmon_swap_used_bytes 536870912',
      'proxmon_zfs_arc_size_bytes 6442450944',
      'proxmon_zfs_arc_target_bytes 6577412096',
      'proxmon_zfs_arc_min_bytes 2104771904',
      'proxmon_zfs_arc_max_bytes 6577412096',
      'proxmon_pressure_waiting_seconds_total{resource="cpu"} 1234.56789',
      'proxmon_pressure_waiting_seconds_total{resource="memory"} 0',
      'proxmon_pressure_waiting_seconds_total{resource="io"} 1.634518',
      'proxmon_pressure_stalled_seconds_total{resource="memory"} 0',
      'proxmon_pressure_stalled_seconds_total{resource="io"} 1.461031',
      'proxmon_disk_reads_completed_total{device="sda"} 680492',
      'proxmon_disk_reads_completed_total{device="nvme0n1"} 1893825',
      'proxmon_disk_reads_completed_total{device="dm-0"} 145902',
      'proxmon_disk_reads_completed_total{device="dm-1"} 521604',
      'proxmon_disk_writes_completed_total{device="sda"} 523456',
      'proxmon_disk_writes_completed_total{device="nvme0n1"} 1456789',
      'proxmon_disk_writes_completed_total{device="dm-0"} 112233',
      'proxmon_disk_writes_completed_total{device="dm-1"} 401234',
      'proxmon_disk_read_bytes_total{device="sda"} 13936476160',
      'proxmon_disk_read_bytes_total{device="nvme0n1"} 38785536000',
      'proxmon_disk_read_bytes_total{device="dm-0"} 2988072960',
      'proxmon_disk_read_bytes_total{device="dm-1"} 10682449920',
      'proxmon_disk_written_bytes_total{device="sda"} 15008530432',
      'proxmon_disk_written_bytes_total{device="nvme0n1"} 41769054208',
      'proxmon_disk_written_bytes_total{device="dm-0"} 3217944576',
      'proxmon_disk_written_bytes_total{device="dm-1"} 11504181248',
      'proxmon_disk_read_time_seconds_total{device="sda"} 238.172',
      'proxmon_disk_read_time_seconds_total{device="nvme0n1"} 662.838',
      'proxmon_disk_read_time_seconds_total{device="dm-0"} 51.065',
      'proxmon_disk_read_time_seconds_total{device="dm-1"} 182.561',
      'proxmon_disk_write_time_seconds_total{device="sda"} 889.875',
      'proxmon_disk_write_time_seconds_total{device="nvme0n1"} 2476.541',
      'proxmon_disk_write_time_seconds_total{device="dm-0"} 190.796',
      'proxmon_disk_write_time_seconds_total{device="dm-1"} 682.097',
      'proxmon_disk_io_time_seconds_total{device="sda"} 620.425',
      'proxmon_disk_io_time_seconds_total{device="nvme0n1"} 1726.658',
      'proxmon_disk_io_time_seconds_total{device="dm-0"} 133.023',
      'proxmon_disk_io_time_seconds_total{device="dm-1"} 475.561',
      'proxmon_disk_io_weighted_time_seconds_total{device="sda"} 1180.392',
      'proxmon_disk_io_weighted_time_seconds_total{device="nvme0n1"} 3285.057',
      'proxmon_disk_io_weighted_time_seconds_total{device="dm-0"} 253.084',
      'proxmon_disk_io_weighted_time_seconds_total{device="dm-1"} 904.781',
      'proxmon_disk_io_in_progress{device="sda"} 0',
      'proxmon_disk_io_in_progress{device="nvme0n1"} 0',
      'proxmon_disk_io_in_progress{device="dm-0"} 0',
      'proxmon_disk_io_in_progress{device="dm-1"} 0',
      'proxmon_disk_discarded_bytes_total{device="sda"} 5488246784',
      'proxmon_disk_discarded_bytes_total{device="nvme0n1"} 15274606592',
      'proxmon_disk_discarded_bytes_total{device="dm-0"} 1176502272',
      'proxmon_disk_discarded_bytes_total{device="dm-1"} 4206886912',
      'proxmon_disk_reads_merged_total{device="sda"} 81659',
      'proxmon_disk_reads_merged_total{device="nvme0n1"} 227259',
      'proxmon_disk_reads_merged_total{device="dm-0"} 17508',
      'proxmon_disk_reads_merged_total{device="dm-1"} 62592',
      'proxmon_disk_writes_merged_total{device="sda"} 314073',
      'proxmon_disk_writes_merged_total{device="nvme0n1"} 874073',
      'proxmon_disk_writes_merged_total{device="dm-0"} 67339',
      'proxmon_disk_writes_merged_total{device="dm-1"} 240740',
      'proxmon_disk_discards_completed_total{device="sda"} 5234',
      'proxmon_disk_discards_completed_total{device="nvme0n1"} 14567',
      'proxmon_disk_discards_completed_total{device="dm-0"} 1122',
      'proxmon_disk_discards_completed_total{device="dm-1"} 4012',
      'proxmon_disk_discards_merged_total{device="sda"} 0',
      'proxmon_disk_discards_merged_total{device="nvme0n1"} 0',
      'proxmon_disk_discards_merged_total{device="dm-0"} 0',
      'proxmon_disk_discards_merged_total{device="dm-1"} 0',
      'proxmon_disk_discard_time_seconds_total{device="sda"} 2.093',
      'proxmon_disk_discard_time_seconds_total{device="nvme0n1"} 5.826',
      'proxmon_disk_discard_time_seconds_total{device="dm-0"} 0.448',
      'proxmon_disk_discard_time_seconds_total{device="dm-1"} 1.604',
    ]);
  });

  it('exposes every /proc/meminfo field: kB ones in bytes, HugePages_* as counts', async () => {
    const lines = await render(pveHost());
    const bytes = lines.filter((l) => l.startsWith('proxmon_memory_meminfo_bytes'));
    const pages = lines.filter((l) => l.startsWith('proxmon_memory_meminfo_pages'));
    // 55 lines in the fixture: 4 HugePages_* counts, 51 kB fields.
    expect(bytes).toHaveLength(51);
    expect(bytes.slice(0, 3)).toEqual([
      'proxmon_memory_meminfo_bytes{field="MemTotal"} 67352707072',
      'proxmon_memory_meminfo_bytes{field="MemFree"} 3200618496',
      'proxmon_memory_meminfo_bytes{field="MemAvailable"} 11555565568',
    ]);
    for (const line of [
      'proxmon_memory_meminfo_bytes{field="Active_anon"} 8319672320',
      'proxmon_memory_meminfo_bytes{field="Inactive_file"} 2376527872',
      'proxmon_memory_meminfo_bytes{field="SUnreclaim"} 2979201024',
      'proxmon_memory_meminfo_bytes{field="Committed_AS"} 49485271040',
      'proxmon_memory_meminfo_bytes{field="VmallocTotal"} 35184372087808',
      'proxmon_memory_meminfo_bytes{field="AnonHugePages"} 20971520000',
      'proxmon_memory_meminfo_bytes{field="Hugepagesize"} 2097152',
      'proxmon_memory_meminfo_bytes{field="DirectMap1G"} 32212254720',
    ])
      expect(bytes).toContain(line);
    expect(pages).toEqual([
      'proxmon_memory_meminfo_pages{field="HugePages_Total"} 4096',
      'proxmon_memory_meminfo_pages{field="HugePages_Free"} 1024',
      'proxmon_memory_meminfo_pages{field="HugePages_Rsvd"} 0',
      'proxmon_memory_meminfo_pages{field="HugePages_Surp"} 0',
    ]);
  });

  it('turns odd characters in a meminfo field name into underscores', async () => {
    const cache = new SnapshotCache(() => 1_000);
    cache.register('memory', 15_000);
    cache.recordSuccess(
      'memory',
      value(parseMeminfo('MemTotal: 4 kB\nNew(thing)-x: 1 kB\nHugePages_Odd: 3\n')),
      0.01,
    );
    const lines = (await render(cache)).filter((l) => l.startsWith('proxmon_memory_meminfo_'));
    expect(lines).toEqual([
      'proxmon_memory_meminfo_bytes{field="MemTotal"} 4096',
      'proxmon_memory_meminfo_bytes{field="New_thing_x"} 1024',
      'proxmon_memory_meminfo_pages{field="HugePages_Odd"} 3',
    ]);
  });

  it('renders flush counters where the kernel has them (5.5+) and leaves them out before', async () => {
    const cache = new SnapshotCache(() => 1_000);
    const disks = (name: string): DiskstatsSnapshot => ({
      disks: value(parseDiskstats(fixture('diskstats', name))).filter((e) => e.name === 'sda'),
      wholeDiskRule: 'name-pattern',
    });
    cache.register('diskstats', 15_000);
    cache.recordSuccess('diskstats', disks('proc-diskstats-pve8-kernel6.8-20fields-constructed.txt'), 0.01);
    const recent = (await render(cache)).filter((l) => /_(flush|discards?)_/.test(l));
    expect(recent).toEqual([
      'proxmon_disk_discards_completed_total{device="sda"} 8123',
      'proxmon_disk_discards_merged_total{device="sda"} 0',
      'proxmon_disk_discard_time_seconds_total{device="sda"} 3.249',
      'proxmon_disk_flush_requests_total{device="sda"} 40617',
      'proxmon_disk_flush_time_seconds_total{device="sda"} 36.555',
    ]);
    cache.recordSuccess('diskstats', disks('proc-diskstats-pve5-kernel4.15-14fields-constructed.txt'), 0.01);
    const old = (await render(cache)).filter((l) => l.startsWith('proxmon_disk_'));
    expect(old.filter((l) => /_(flush|discard)/.test(l))).toEqual([]);
    expect(old).toContain('proxmon_disk_reads_merged_total{device="sda"} 64325');
  });

  it('renders per-CPU series and guest time only when asked to', async () => {
    const cache = new SnapshotCache(() => 1_000);
    cache.register('cpu', 15_000);
    cache.recordSuccess(
      'cpu',
      value(parseProcStat(fixture('cpu', 'proc-stat-pve-host-4cpu-guest-constructed.txt'))),
      0.01,
    );
    const plain = await render(cache);
    expect(plain.filter((l) => l.startsWith('proxmon_cpu_core_'))).toEqual([]);
    expect(plain).toContain('proxmon_cpu_guest_seconds_total{mode="user"} 30521.58');
    expect(plain).toContain('proxmon_cpu_guest_seconds_total{mode="nice"} 30.58');
    expect(plain).toContain('proxmon_context_switches_total 9876543210');
    expect(plain.some((l) => l.startsWith('proxmon_cpu_usage_ratio'))).toBe(false);
    const perCpu = (await render(cache, { perCpu: true })).filter((l) => l.startsWith('proxmon_cpu_core_'));
    expect(perCpu).toHaveLength(4 * 8);
    expect(perCpu.slice(0, 3)).toEqual([
      'proxmon_cpu_core_seconds_total{cpu="0",mode="user"} 12003.45',
      'proxmon_cpu_core_seconds_total{cpu="0",mode="nice"} 30.12',
      'proxmon_cpu_core_seconds_total{cpu="0",mode="system"} 4012.34',
    ]);
    expect(perCpu).toContain('proxmon_cpu_core_seconds_total{cpu="3",mode="idle"} 92012.34');
    // `auto` keeps per-CPU series on a 4-CPU host; `false` never emits them.
    const auto = (await render(cache, { perCpu: 'auto' })).filter((l) => l.startsWith('proxmon_cpu_core_'));
    expect(auto).toEqual(perCpu);
    expect((await render(cache, { perCpu: false })).some((l) => l.startsWith('proxmon_cpu_core_'))).toBe(
      false,
    );
  });

  it('leaves out what is unknown: MemAvailable on an old kernel, the ARC without ZFS', async () => {
    const cache = new SnapshotCache(() => 1_000);
    cache.register('memory', 15_000);
    cache.recordSuccess(
      'memory',
      value(parseMeminfo(fixture('memory', 'proc-meminfo-kernel3.10-no-memavailable-constructed.txt'))),
      0.01,
    );
    const lines = await render(cache);
    const derived = lines.filter((l) => !l.startsWith('proxmon_memory_meminfo_'));
    expect(derived.filter((l) => /^proxmon_(memory|swap|zfs)_/.test(l))).toEqual([
      'proxmon_memory_total_bytes 8254877696',
      'proxmon_memory_free_bytes 1887457280',
      'proxmon_memory_buffers_bytes 216428544',
      'proxmon_memory_cached_bytes 4219338752',
      'proxmon_memory_shared_bytes 42868736',
      'proxmon_memory_dirty_bytes 356352',
      'proxmon_memory_hugepages_bytes 0',
      'proxmon_memory_hugepages_free_bytes 0',
      'proxmon_swap_total_bytes 2147479552',
      'proxmon_swap_used_bytes 67108864',
    ]);
  });

  it('renders no samples before any source has reported', async () => {
    expect(await render(new SnapshotCache())).toEqual([]);
  });

  it('declares exactly its metricNames, counters as counters', async () => {
    const registry = new Registry();
    registerHostMetrics(registry, new SnapshotCache(), { perCpu: true });
    const families = (await registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]);
    expect(families.map(([name]) => name)).toEqual([...metricNames]);
    for (const [name, type] of families) expect(type).toBe(name?.endsWith('_total') ? 'counter' : 'gauge');
  });
});
