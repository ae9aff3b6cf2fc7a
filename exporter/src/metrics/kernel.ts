import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import { FILEFD_SOURCE, type FileNr } from '../sources/filefd/index.js';
import { KSM_SOURCE, type Ksm } from '../sources/ksm/index.js';
import { SOFTIRQS_SOURCE, type Softirqs } from '../sources/softirqs/index.js';
import { VMSTAT_SOURCE, type Vmstat } from '../sources/vmstat/index.js';
import { snapshotCounter, snapshotGauge } from './define.js';

export const metricNames = [
  'proxmon_memory_page_faults_total',
  'proxmon_memory_paged_bytes_total',
  'proxmon_swap_pages_total',
  'proxmon_oom_kills_total',
  'proxmon_filefd_allocated',
  'proxmon_filefd_maximum',
  'proxmon_softirqs_total',
  'proxmon_ksm_running',
  'proxmon_ksm_pages_shared',
  'proxmon_ksm_pages_sharing',
  'proxmon_ksm_pages_unshared',
  'proxmon_ksm_pages_volatile',
  'proxmon_ksm_zero_pages',
  'proxmon_ksm_full_scans_total',
  'proxmon_ksm_profit_bytes',
  'proxmon_ksm_sharing_bytes',
] as const;

type MetricName = (typeof metricNames)[number];

/** Kernel VM statistics, file handles, softirqs and KSM, from the vmstat, filefd, softirqs and ksm sources. */
export function registerKernelMetrics(registry: Registry, snapshots: SnapshotReader): void {
  const vmstat = () => snapshots.latest<Vmstat>(VMSTAT_SOURCE);
  const filefd = () => snapshots.latest<FileNr>(FILEFD_SOURCE);
  const ksm = () => snapshots.latest<Ksm>(KSM_SOURCE);

  const gauge = (name: MetricName, help: string, read: () => number | undefined) =>
    snapshotGauge(registry, { name, help }, (emit) => emit({}, read()));
  const counter = (name: MetricName, help: string, read: () => number | undefined) =>
    snapshotCounter(registry, { name, help }, (emit) => emit({}, read()));

  snapshotCounter(
    registry,
    {
      name: 'proxmon_memory_page_faults_total',
      help: 'Page faults; major ones waited for I/O (swap-in, file read), minor = pgfault - pgmajfault',
      labelNames: ['kind'],
    },
    (emit) => {
      const v = vmstat();
      emit({ kind: 'minor' }, v?.minorPageFaults);
      emit({ kind: 'major' }, v?.majorPageFaults);
    },
  );
  snapshotCounter(
    registry,
    {
      name: 'proxmon_memory_paged_bytes_total',
      help: 'Bytes paged in from and out to block devices, swap included (pgpgin/pgpgout, KiB in /proc/vmstat)',
      labelNames: ['direction'],
    },
    (emit) => {
      const v = vmstat();
      emit({ direction: 'in' }, v?.pagedInBytes);
      emit({ direction: 'out' }, v?.pagedOutBytes);
    },
  );
  snapshotCounter(
    registry,
    {
      name: 'proxmon_swap_pages_total',
      help: 'Pages read from (in) and written to (out) swap (pswpin/pswpout); multiply by the page size for bytes',
      labelNames: ['direction'],
    },
    (emit) => {
      const v = vmstat();
      emit({ direction: 'in' }, v?.swappedInPages);
      emit({ direction: 'out' }, v?.swappedOutPages);
    },
  );
  counter(
    'proxmon_oom_kills_total',
    'Processes killed by the OOM killer (oom_kill, Linux 4.13+; absent on older kernels)',
    () => vmstat()?.oomKills,
  );

  gauge(
    'proxmon_filefd_allocated',
    'File handles allocated system-wide (file-nr)',
    () => filefd()?.allocated,
  );
  gauge(
    'proxmon_filefd_maximum',
    'Most file handles the kernel will allocate (fs.file-max)',
    () => filefd()?.maximum,
  );

  snapshotCounter(
    registry,
    {
      name: 'proxmon_softirqs_total',
      help: 'Softirqs raised, summed over CPUs, by kernel type name (NET_RX, TIMER, ...)',
      labelNames: ['type'],
    },
    (emit) => {
      for (const t of snapshots.latest<Softirqs>(SOFTIRQS_SOURCE)?.totals ?? [])
        emit({ type: t.type }, t.count);
    },
  );

  gauge('proxmon_ksm_running', '1 while KSM merges pages (run = 1)', () => {
    const running = ksm()?.running;
    return running === undefined ? undefined : running ? 1 : 0;
  });
  gauge(
    'proxmon_ksm_pages_shared',
    'KSM pages in use, each backing several identical pages',
    () => ksm()?.pagesShared,
  );
  gauge(
    'proxmon_ksm_pages_sharing',
    'Further pages mapped to KSM pages: the pages saved',
    () => ksm()?.pagesSharing,
  );
  gauge(
    'proxmon_ksm_pages_unshared',
    'Unique pages KSM keeps checking for merging',
    () => ksm()?.pagesUnshared,
  );
  gauge('proxmon_ksm_pages_volatile', 'Pages changing too fast for KSM to merge', () => ksm()?.pagesVolatile);
  gauge(
    'proxmon_ksm_zero_pages',
    'Empty pages KSM mapped to the zero page (use_zero_pages, Linux 6.5+)',
    () => ksm()?.zeroPages,
  );
  counter('proxmon_ksm_full_scans_total', 'Full KSM scans of all mergeable memory', () => ksm()?.fullScans);
  gauge(
    'proxmon_ksm_profit_bytes',
    'Memory KSM saves less its own metadata (general_profit, Linux 6.4+); can be negative',
    () => ksm()?.profitBytes,
  );
  gauge(
    'proxmon_ksm_sharing_bytes',
    'pages_sharing x page size: the "KSM sharing" figure of the Proxmox VE UI',
    () => ksm()?.sharingBytes,
  );
}
