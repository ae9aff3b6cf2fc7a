import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import {
  INTEL_GPU_SOURCE,
  NVIDIA_SOURCE,
  type ClockDomain,
  type Gpu,
  type GpuProcess,
  type GpuSnapshot,
} from '../sources/gpu/index.js';
import { snapshotCounter, snapshotGauge, type Fill } from './define.js';

export const metricNames = [
  'proxmon_gpu_info',
  'proxmon_gpu_utilization_ratio',
  'proxmon_gpu_memory_utilization_ratio',
  'proxmon_gpu_memory_used_bytes',
  'proxmon_gpu_memory_total_bytes',
  'proxmon_gpu_temperature_celsius',
  'proxmon_gpu_memory_temperature_celsius',
  'proxmon_gpu_power_watts',
  'proxmon_gpu_power_limit_watts',
  'proxmon_gpu_package_power_watts',
  'proxmon_gpu_clock_hertz',
  'proxmon_gpu_clock_max_hertz',
  'proxmon_gpu_clock_requested_hertz',
  'proxmon_gpu_fan_ratio',
  'proxmon_gpu_encoder_utilization_ratio',
  'proxmon_gpu_decoder_utilization_ratio',
  'proxmon_gpu_encoder_sessions',
  'proxmon_gpu_ecc_errors',
  'proxmon_gpu_performance_state',
  'proxmon_gpu_clock_event_active',
  'proxmon_gpu_clock_event_seconds_total',
  'proxmon_gpu_pcie_link_generation',
  'proxmon_gpu_pcie_link_max_generation',
  'proxmon_gpu_pcie_link_width',
  'proxmon_gpu_pcie_link_max_width',
  'proxmon_gpu_remapped_rows',
  'proxmon_gpu_remapped_rows_pending',
  'proxmon_gpu_remapped_rows_failure',
  'proxmon_gpu_retired_pages',
  'proxmon_gpu_retired_pages_pending',
  'proxmon_gpu_engine_busy_ratio',
  'proxmon_gpu_rc6_ratio',
  'proxmon_gpu_process_memory_used_bytes',
] as const;

/** Every GPU with a fresh snapshot: NVIDIA first, then Intel. */
export function currentGpus(snapshots: SnapshotReader): Gpu[] {
  return [NVIDIA_SOURCE, INTEL_GPU_SOURCE].flatMap((s) => snapshots.latest<GpuSnapshot>(s)?.gpus ?? []);
}

function currentProcesses(snapshots: SnapshotReader): GpuProcess[] {
  return snapshots.latest<GpuSnapshot>(NVIDIA_SOURCE)?.processes ?? [];
}

const CLOCKS: readonly ClockDomain[] = ['graphics', 'sm', 'memory', 'video'];
const bool = (b: boolean | undefined) => (b === undefined ? undefined : b ? 1 : 0);

export function registerGpuMetrics(registry: Registry, snapshots: SnapshotReader): void {
  const perGpu =
    (value: (g: Gpu) => number | undefined): Fill<'gpu'> =>
    (emit) => {
      for (const g of currentGpus(snapshots)) emit({ gpu: g.id }, value(g));
    };
  const gauge = (name: string, help: string, value: (g: Gpu) => number | undefined) =>
    snapshotGauge(registry, { name, help, labelNames: ['gpu'] as const }, perGpu(value));
  const clockGauge = (name: string, help: string, pick: (g: Gpu) => Partial<Record<ClockDomain, number>>) =>
    snapshotGauge(registry, { name, help, labelNames: ['gpu', 'clock'] as const }, (emit) => {
      for (const g of currentGpus(snapshots))
        for (const clock of CLOCKS) emit({ gpu: g.id, clock }, pick(g)[clock]);
    });

  snapshotGauge(
    registry,
    {
      name: 'proxmon_gpu_info',
      help: 'GPU identity; value is always 1. gpu is the NVIDIA UUID or the PCI slot; name is the PCI id for Intel',
      labelNames: ['gpu', 'index', 'name', 'vendor', 'driver', 'pci_bus'] as const,
    },
    (emit) => {
      for (const g of currentGpus(snapshots))
        emit(
          {
            gpu: g.id,
            index: g.index ?? '',
            name: g.name ?? '',
            vendor: g.vendor,
            driver: g.driver ?? '',
            pci_bus: g.pciBus ?? '',
          },
          1,
        );
    },
  );
  gauge(
    'proxmon_gpu_utilization_ratio',
    'Share of the last sample period the GPU was busy (NVIDIA utilization.gpu; Intel: busiest engine class)',
    (g) => g.utilizationRatio,
  );
  gauge(
    'proxmon_gpu_memory_utilization_ratio',
    'Share of the last sample period device memory was being read or written (NVIDIA)',
    (g) => g.memoryUtilizationRatio,
  );
  gauge('proxmon_gpu_memory_used_bytes', 'GPU memory allocated by active contexts', (g) => g.memoryUsedBytes);
  gauge(
    'proxmon_gpu_memory_total_bytes',
    'Installed GPU memory as the driver reports it',
    (g) => g.memoryTotalBytes,
  );
  gauge('proxmon_gpu_temperature_celsius', 'GPU core temperature', (g) => g.temperatureCelsius);
  gauge(
    'proxmon_gpu_memory_temperature_celsius',
    'GPU memory (HBM) temperature, where the card reports it',
    (g) => g.memoryTemperatureCelsius,
  );
  gauge(
    'proxmon_gpu_power_watts',
    'Board power draw (NVIDIA power.draw; Intel: RAPL GPU domain, integrated GPUs only)',
    (g) => g.powerWatts,
  );
  gauge(
    'proxmon_gpu_power_limit_watts',
    'Power ceiling the driver enforces (enforced.power.limit)',
    (g) => g.powerLimitWatts,
  );
  gauge(
    'proxmon_gpu_package_power_watts',
    'Intel integrated GPUs: RAPL package power, CPU and GPU together',
    (g) => g.packagePowerWatts,
  );
  clockGauge('proxmon_gpu_clock_hertz', 'Current clock frequency per clock domain', (g) => g.clocksHertz);
  clockGauge(
    'proxmon_gpu_clock_max_hertz',
    'Maximum clock frequency per clock domain',
    (g) => g.maxClocksHertz,
  );
  clockGauge(
    'proxmon_gpu_clock_requested_hertz',
    'Clock frequency the driver asked for (Intel)',
    (g) => g.requestedClocksHertz,
  );
  gauge(
    'proxmon_gpu_fan_ratio',
    'Intended fan speed as a share of its maximum; absent when the card reports none (passively cooled)',
    (g) => g.fanRatio,
  );
  gauge(
    'proxmon_gpu_encoder_utilization_ratio',
    'Share of the last sample period the video encoder was busy',
    (g) => g.encoderUtilizationRatio,
  );
  gauge(
    'proxmon_gpu_decoder_utilization_ratio',
    'Share of the last sample period the video decoder was busy',
    (g) => g.decoderUtilizationRatio,
  );
  gauge('proxmon_gpu_encoder_sessions', 'Active hardware encoder sessions', (g) => g.encoderSessions);
  snapshotGauge(
    registry,
    {
      name: 'proxmon_gpu_ecc_errors',
      help: 'ECC errors since the driver loaded (volatile counts), by type',
      labelNames: ['gpu', 'type'] as const,
    },
    (emit) => {
      for (const g of currentGpus(snapshots)) {
        emit({ gpu: g.id, type: 'corrected' }, g.eccErrors.corrected);
        emit({ gpu: g.id, type: 'uncorrected' }, g.eccErrors.uncorrected);
      }
    },
  );
  gauge(
    'proxmon_gpu_performance_state',
    'Performance state: 0 for P0 (maximum performance) to 15 (minimum)',
    (g) => g.performanceState,
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_gpu_clock_event_active',
      help: 'Whether a clock event (throttle) reason is holding clocks down, for every reason the GPU supports',
      labelNames: ['gpu', 'reason'] as const,
    },
    (emit) => {
      for (const g of currentGpus(snapshots))
        for (const r of g.clockEventReasons) emit({ gpu: g.id, reason: r.reason }, r.active ? 1 : 0);
    },
  );
  snapshotCounter(
    registry,
    {
      name: 'proxmon_gpu_clock_event_seconds_total',
      help: 'Time clocks were held down, by reason, since the driver loaded (newer NVIDIA drivers)',
      labelNames: ['gpu', 'reason'] as const,
    },
    (emit) => {
      for (const g of currentGpus(snapshots))
        for (const [reason, s] of Object.entries(g.clockEventSeconds)) emit({ gpu: g.id, reason }, s);
    },
  );
  gauge('proxmon_gpu_pcie_link_generation', 'Current PCIe link generation', (g) => g.pcie.generation);
  gauge(
    'proxmon_gpu_pcie_link_max_generation',
    'Highest PCIe link generation this GPU and slot support',
    (g) => g.pcie.maxGeneration,
  );
  gauge('proxmon_gpu_pcie_link_width', 'Current PCIe link width (lanes)', (g) => g.pcie.width);
  gauge(
    'proxmon_gpu_pcie_link_max_width',
    'Widest PCIe link this GPU and slot support',
    (g) => g.pcie.maxWidth,
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_gpu_remapped_rows',
      help: 'Memory rows remapped after ECC errors, by type (correctable, uncorrectable)',
      labelNames: ['gpu', 'type'] as const,
    },
    (emit) => {
      for (const g of currentGpus(snapshots)) {
        emit({ gpu: g.id, type: 'correctable' }, g.remappedRows.correctable);
        emit({ gpu: g.id, type: 'uncorrectable' }, g.remappedRows.uncorrectable);
      }
    },
  );
  gauge('proxmon_gpu_remapped_rows_pending', '1 when a row remapping waits for a GPU reset', (g) =>
    bool(g.remappedRows.pending),
  );
  gauge(
    'proxmon_gpu_remapped_rows_failure',
    '1 when a row remapping has failed (the GPU needs service)',
    (g) => bool(g.remappedRows.failure),
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_gpu_retired_pages',
      help: 'Memory pages retired after ECC errors, by cause (single_bit_ecc, double_bit_ecc; pre-Ampere GPUs)',
      labelNames: ['gpu', 'cause'] as const,
    },
    (emit) => {
      for (const g of currentGpus(snapshots)) {
        emit({ gpu: g.id, cause: 'single_bit_ecc' }, g.retiredPages.singleBitEcc);
        emit({ gpu: g.id, cause: 'double_bit_ecc' }, g.retiredPages.doubleBitEcc);
      }
    },
  );
  gauge('proxmon_gpu_retired_pages_pending', '1 when pages wait to be retired at the next reboot', (g) =>
    bool(g.retiredPages.pending),
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_gpu_engine_busy_ratio',
      help: 'Share of the last sample an engine class was busy (Intel: render, video, video_enhance, blitter, compute)',
      labelNames: ['gpu', 'engine'] as const,
    },
    (emit) => {
      for (const g of currentGpus(snapshots))
        for (const e of g.engines) emit({ gpu: g.id, engine: e.engine }, e.busyRatio);
    },
  );
  gauge(
    'proxmon_gpu_rc6_ratio',
    'Intel: share of the last sample the GPU spent in the RC6 power-saving state',
    (g) => g.rc6Ratio,
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_gpu_process_memory_used_bytes',
      help: 'GPU memory per compute process (opt-in: config gpu.processes)',
      labelNames: ['gpu', 'pid', 'process'] as const,
    },
    (emit) => {
      for (const p of currentProcesses(snapshots))
        emit({ gpu: p.gpu, pid: p.pid, process: p.name }, p.usedMemoryBytes);
    },
  );
}
