/**
 * One shape for every GPU vendor, so metrics and the API read NVIDIA (`nvidia` source) and Intel
 * (`intelgpu` source) the same way. Values are in base units; a value the card or tool does not
 * report is left undefined, never 0.
 */
export type GpuVendor = 'nvidia' | 'intel';

export type ClockDomain = 'graphics' | 'sm' | 'memory' | 'video';

/** NVML clock event (throttle) reasons, named as nvidia-smi's `clocks_event_reasons.*` fields. */
export type ClockEventReason =
  | 'gpu_idle'
  | 'applications_clocks_setting'
  | 'sw_power_cap'
  | 'hw_slowdown'
  | 'sync_boost'
  | 'sw_thermal_slowdown'
  | 'hw_thermal_slowdown'
  | 'hw_power_brake_slowdown'
  | 'display_clock_setting';

export interface Gpu {
  /** The `gpu` label: the NVIDIA UUID, or the PCI slot (`0000:00:02.0`) for other vendors. */
  id: string;
  vendor: GpuVendor;
  /** nvidia-smi's index, or the DRM card number for Intel. */
  index?: number;
  name?: string;
  /** NVIDIA driver version; the kernel driver name (i915, xe) for Intel. */
  driver?: string;
  /** PCI address with a 4-digit domain, lower case (`0000:00:06.0`), as lspci and sysfs write it. */
  pciBus?: string;

  utilizationRatio?: number;
  memoryUtilizationRatio?: number;
  memoryUsedBytes?: number;
  memoryTotalBytes?: number;
  temperatureCelsius?: number;
  memoryTemperatureCelsius?: number;
  powerWatts?: number;
  powerLimitWatts?: number;
  /** Intel integrated GPUs: RAPL package power (CPU and GPU together). */
  packagePowerWatts?: number;
  clocksHertz: Partial<Record<ClockDomain, number>>;
  maxClocksHertz: Partial<Record<ClockDomain, number>>;
  requestedClocksHertz: Partial<Record<ClockDomain, number>>;
  /** Share of the fan's maximum; may exceed 1 (nvidia-smi documents readings above 100 %). */
  fanRatio?: number;
  encoderUtilizationRatio?: number;
  decoderUtilizationRatio?: number;
  encoderSessions?: number;
  /** Volatile ECC error counts (since the driver loaded). */
  eccErrors: { corrected?: number; uncorrected?: number };
  /** 0 for P0 (maximum performance) … 15. */
  performanceState?: number;
  /** Every reason the GPU supports, active or not (a state set). */
  clockEventReasons: { reason: ClockEventReason; active: boolean }[];
  /** Time clocks were held down, per reason, since the driver loaded. */
  clockEventSeconds: Partial<Record<ClockEventReason, number>>;
  pcie: { generation?: number; maxGeneration?: number; width?: number; maxWidth?: number };
  remappedRows: { correctable?: number; uncorrectable?: number; pending?: boolean; failure?: boolean };
  retiredPages: { singleBitEcc?: number; doubleBitEcc?: number; pending?: boolean };
  /** Per engine class busy share (Intel: render, video, video_enhance, blitter, compute). */
  engines: { engine: string; busyRatio?: number }[];
  /** Intel: share of the sample the GPU spent in the RC6 power-saving state. */
  rc6Ratio?: number;
}

export interface GpuProcess {
  /** The `gpu` id of the GPU the process runs on. */
  gpu: string;
  pid: number;
  name: string;
  usedMemoryBytes?: number;
}

export interface GpuSnapshot {
  gpus: Gpu[];
  /** Only when per-process series are enabled; undefined when not asked for or not readable. */
  processes?: GpuProcess[];
}

export function emptyGpu(id: string, vendor: GpuVendor): Gpu {
  return {
    id,
    vendor,
    clocksHertz: {},
    maxClocksHertz: {},
    requestedClocksHertz: {},
    eccErrors: {},
    clockEventReasons: [],
    clockEventSeconds: {},
    pcie: {},
    remappedRows: {},
    retiredPages: {},
    engines: [],
  };
}

/** `00000000:00:06.0` (nvidia-smi) → `0000:00:06.0`; anything unrecognised is returned lower-cased. */
export function normalisePciAddress(address: string): string {
  const m = /^([0-9a-f]+):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(address.trim());
  if (!m) return address.trim().toLowerCase();
  const [, domain = '', bus, device, fn] = m;
  const d = domain.replace(/^0+(?=[0-9a-f]{4})/i, '').padStart(4, '0');
  return `${d}:${bus}:${device}.${fn}`.toLowerCase();
}
