import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import { SCHEDSTAT_SOURCE, type Schedstat } from '../sources/schedstat/index.js';
import { SOFTNET_SOURCE, type Softnet } from '../sources/softnet/index.js';
import { snapshotCounter } from './define.js';
import { perCpuEnabled, type PerCpuSetting } from './per-cpu.js';

export const metricNames = [
  'proxmon_schedstat_running_seconds_total',
  'proxmon_schedstat_core_running_seconds_total',
  'proxmon_schedstat_waiting_seconds_total',
  'proxmon_schedstat_core_waiting_seconds_total',
  'proxmon_schedstat_timeslices_total',
  'proxmon_schedstat_core_timeslices_total',
  'proxmon_softnet_processed_total',
  'proxmon_softnet_core_processed_total',
  'proxmon_softnet_dropped_total',
  'proxmon_softnet_core_dropped_total',
  'proxmon_softnet_times_squeezed_total',
  'proxmon_softnet_core_times_squeezed_total',
] as const;

type MetricName = (typeof metricNames)[number];

/** The shape schedstat and softnet share: counters summed over CPUs and per CPU. */
interface PerCpuSnapshot<F extends string> {
  total: Record<F, number>;
  perCpu: readonly ({ cpu: string } & Record<F, number>)[];
}

export interface SchedulerMetricsOptions {
  /** Per-CPU series (`..._core_...{cpu}`): six per CPU, so bounded by `auto` like the CPU metrics. */
  perCpu?: PerCpuSetting;
}

/** Run-queue waiting (schedstat) and receive-softirq drops and squeezes (softnet), from /proc. */
export function registerSchedulerMetrics(
  registry: Registry,
  snapshots: SnapshotReader,
  options: SchedulerMetricsOptions = {},
): void {
  const schedstat = () => snapshots.latest<Schedstat>(SCHEDSTAT_SOURCE);
  const softnet = () => snapshots.latest<Softnet>(SOFTNET_SOURCE);

  /** A field both snapshots keep summed and per CPU: one total, and with perCpu one series per CPU. */
  const counters = <F extends string>(
    snapshot: () => PerCpuSnapshot<F> | undefined,
    field: F,
    [name, coreName]: readonly [MetricName, MetricName],
    help: string,
  ) => {
    snapshotCounter(registry, { name, help: `${help}; summed over CPUs` }, (emit) =>
      emit({}, snapshot()?.total[field]),
    );
    if (options.perCpu === undefined || options.perCpu === false) return;
    snapshotCounter(registry, { name: coreName, help: `${help}; per CPU`, labelNames: ['cpu'] }, (emit) => {
      const cores = snapshot()?.perCpu ?? [];
      if (!perCpuEnabled(options.perCpu, cores.length)) return;
      for (const core of cores) emit({ cpu: core.cpu }, core[field]);
    });
  };

  counters(
    schedstat,
    'runningSeconds',
    ['proxmon_schedstat_running_seconds_total', 'proxmon_schedstat_core_running_seconds_total'],
    'Time tasks spent running on a CPU (schedstat rq_cpu_time)',
  );
  counters(
    schedstat,
    'waitingSeconds',
    ['proxmon_schedstat_waiting_seconds_total', 'proxmon_schedstat_core_waiting_seconds_total'],
    "Time runnable tasks waited for a CPU (schedstat run_delay): the host side of guests' steal",
  );
  counters(
    schedstat,
    'timeslices',
    ['proxmon_schedstat_timeslices_total', 'proxmon_schedstat_core_timeslices_total'],
    'Timeslices run: times a task was put on a CPU (schedstat pcount)',
  );
  counters(
    softnet,
    'processed',
    ['proxmon_softnet_processed_total', 'proxmon_softnet_core_processed_total'],
    'Packets the receive path handed to the network stack (softnet_stat column 1)',
  );
  counters(
    softnet,
    'dropped',
    ['proxmon_softnet_dropped_total', 'proxmon_softnet_core_dropped_total'],
    'Packets dropped: a CPU input backlog was full (net.core.netdev_max_backlog) or flow-limited',
  );
  counters(
    softnet,
    'timesSqueezed',
    ['proxmon_softnet_times_squeezed_total', 'proxmon_softnet_core_times_squeezed_total'],
    'NET_RX softirq runs that stopped with work left, out of net.core.netdev_budget or its time',
  );
}
