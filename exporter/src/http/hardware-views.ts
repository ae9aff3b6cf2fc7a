import type { z } from 'zod';
import type { CpuSnapshot } from '../sources/cpu/index.js';
import type { Gpu } from '../sources/gpu/index.js';
import type { SensorAlarms, SensorChip } from '../sources/hwmon/types.js';
import type { CpuInventory, DmiInventory, PciDevice } from '../sources/inventory/index.js';
import { IPMI_SEVERITY, type IpmiSnapshot } from '../sources/ipmi/index.js';
import type { UpsSnapshot } from '../sources/ups/index.js';
import type {
  biosSchema,
  boardSchema,
  cpuSchema,
  gpuDetailResponse,
  gpuSchema,
  ipmiSchema,
  memorySchema,
  pciDeviceSchema,
  sensorsSchema,
  systemSchema,
  upsSchema,
} from './hardware-schema.js';

/** Snapshot values → /api/hardware shapes: snake_case, base units, unknown as null. */

export const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

export function cpuView(
  lscpu: CpuInventory | undefined,
  cpu: CpuSnapshot | undefined,
): z.input<typeof cpuSchema> {
  return {
    model_name: nul(lscpu?.modelName),
    vendor: nul(lscpu?.vendor),
    architecture: nul(lscpu?.architecture),
    count: nul(cpu?.cpuCount ?? lscpu?.cpus),
    online: nul(lscpu?.onlineCpus),
    sockets: nul(lscpu?.sockets),
    cores_per_socket: nul(lscpu?.coresPerSocket),
    threads_per_core: nul(lscpu?.threadsPerCore),
    numa_nodes: nul(lscpu?.numaNodes),
    max_hertz: nul(lscpu?.maxHertz),
    min_hertz: nul(lscpu?.minHertz),
    virtualization: nul(lscpu?.virtualization),
    hypervisor: nul(lscpu?.hypervisor),
    caches: {
      l1d_bytes: nul(lscpu?.caches.l1d),
      l1i_bytes: nul(lscpu?.caches.l1i),
      l2_bytes: nul(lscpu?.caches.l2),
      l3_bytes: nul(lscpu?.caches.l3),
    },
    flags: lscpu?.flags ?? [],
  };
}

/** The sum when every part is known; null when one is not, or there are none. */
function sumKnown(values: ReadonlyArray<number | undefined>): number | null {
  if (!values.length || values.some((v) => v === undefined)) return null;
  return values.reduce<number>((a, b) => a + (b ?? 0), 0);
}

export function memoryView(dmi: DmiInventory): z.input<typeof memorySchema> {
  const installed = dmi.memory.filter((m) => m.installed);
  // System memory arrays only: some boards also list a flash or cache array. A two-socket board
  // usually has one array per socket.
  const arrays = dmi.memoryArrays.filter((a) => a.use === undefined || /system memory/i.test(a.use));
  return {
    installed_bytes: sumKnown(installed.map((m) => m.sizeBytes)),
    slots: sumKnown(arrays.map((a) => a.slots)) ?? (dmi.memory.length || null),
    slots_used: installed.length,
    error_correction: nul(arrays[0]?.errorCorrection),
    max_capacity_bytes: sumKnown(arrays.map((a) => a.maxCapacityBytes)),
    modules: dmi.memory.map((m) => ({
      locator: nul(m.locator),
      bank_locator: nul(m.bankLocator),
      installed: m.installed,
      size_bytes: nul(m.sizeBytes),
      form_factor: nul(m.formFactor),
      type: nul(m.type),
      type_detail: nul(m.typeDetail),
      speed_transfers_per_second: nul(m.speedTransfersPerSecond),
      configured_speed_transfers_per_second: nul(m.configuredSpeedTransfersPerSecond),
      manufacturer: nul(m.manufacturer),
      serial: nul(m.serial),
      part_number: nul(m.partNumber),
      rank: nul(m.rank),
    })),
  };
}

export function pciView(d: PciDevice): z.input<typeof pciDeviceSchema> {
  return {
    slot: d.slot,
    class: nul(d.class),
    class_id: nul(d.classId),
    vendor: nul(d.vendor),
    vendor_id: nul(d.vendorId),
    device: nul(d.device),
    device_id: nul(d.deviceId),
    subsystem_vendor: nul(d.subsystemVendor),
    subsystem_vendor_id: nul(d.subsystemVendorId),
    subsystem_device: nul(d.subsystemDevice),
    subsystem_device_id: nul(d.subsystemDeviceId),
    revision: nul(d.revision),
    driver: nul(d.driver),
    modules: d.modules,
    physical_slot: nul(d.physicalSlot),
    numa_node: nul(d.numaNode),
    iommu_group: nul(d.iommuGroup),
  };
}

const clocksView = (c: Gpu['clocksHertz']) => ({
  graphics: nul(c.graphics),
  sm: nul(c.sm),
  memory: nul(c.memory),
  video: nul(c.video),
});

export function gpuView(g: Gpu): z.input<typeof gpuSchema> {
  return {
    id: g.id,
    vendor: g.vendor,
    index: nul(g.index),
    name: nul(g.name),
    driver: nul(g.driver),
    pci_bus: nul(g.pciBus),
    utilization_ratio: nul(g.utilizationRatio),
    memory_utilization_ratio: nul(g.memoryUtilizationRatio),
    memory_used_bytes: nul(g.memoryUsedBytes),
    memory_total_bytes: nul(g.memoryTotalBytes),
    temperature_celsius: nul(g.temperatureCelsius),
    memory_temperature_celsius: nul(g.memoryTemperatureCelsius),
    power_watts: nul(g.powerWatts),
    power_limit_watts: nul(g.powerLimitWatts),
    package_power_watts: nul(g.packagePowerWatts),
    fan_ratio: nul(g.fanRatio),
    performance_state: nul(g.performanceState),
    encoder_utilization_ratio: nul(g.encoderUtilizationRatio),
    decoder_utilization_ratio: nul(g.decoderUtilizationRatio),
    encoder_sessions: nul(g.encoderSessions),
    clocks_hertz: clocksView(g.clocksHertz),
    max_clocks_hertz: clocksView(g.maxClocksHertz),
    ecc_errors: { corrected: nul(g.eccErrors.corrected), uncorrected: nul(g.eccErrors.uncorrected) },
    clock_event_reasons_active: g.clockEventReasons.filter((r) => r.active).map((r) => r.reason),
    pcie: {
      generation: nul(g.pcie.generation),
      max_generation: nul(g.pcie.maxGeneration),
      width: nul(g.pcie.width),
      max_width: nul(g.pcie.maxWidth),
    },
    engines: g.engines.map((e) => ({ engine: e.engine, busy_ratio: nul(e.busyRatio) })),
    rc6_ratio: nul(g.rc6Ratio),
  };
}

const activeAlarms = (a: SensorAlarms | undefined) =>
  Object.entries(a ?? {})
    .filter(([, on]) => on)
    .map(([name]) => name);

export function systemView(s: NonNullable<DmiInventory['system']>): z.input<typeof systemSchema> {
  return {
    manufacturer: nul(s.manufacturer),
    product_name: nul(s.productName),
    version: nul(s.version),
    serial: nul(s.serial),
    uuid: nul(s.uuid),
    sku: nul(s.sku),
    family: nul(s.family),
  };
}

export function boardView(b: NonNullable<DmiInventory['baseboard']>): z.input<typeof boardSchema> {
  return {
    manufacturer: nul(b.manufacturer),
    product_name: nul(b.productName),
    version: nul(b.version),
    serial: nul(b.serial),
  };
}

export function biosView(b: NonNullable<DmiInventory['bios']>): z.input<typeof biosSchema> {
  return {
    vendor: nul(b.vendor),
    version: nul(b.version),
    release_date: nul(b.releaseDate),
    revision: nul(b.revision),
    firmware_revision: nul(b.firmwareRevision),
  };
}

export function sensorsView(chips: readonly SensorChip[]): z.input<typeof sensorsSchema> {
  return {
    temperatures: chips.flatMap((c) =>
      c.temperatures.map((t) => ({
        chip: c.chip,
        sensor: t.sensor,
        celsius: nul(t.celsius),
        critical_celsius: nul(t.criticalCelsius),
        max_celsius: nul(t.maxCelsius),
        alarms: activeAlarms(t.alarms),
      })),
    ),
    fans: chips.flatMap((c) =>
      c.fans.map((f) => ({
        chip: c.chip,
        sensor: f.sensor,
        rpm: nul(f.rpm),
        alarms: activeAlarms(f.alarms),
      })),
    ),
  };
}

export function ipmiView(ipmi: IpmiSnapshot): z.input<typeof ipmiSchema> {
  return {
    sensors: ipmi.sensors.map((s) => ({
      sensor: s.sensor,
      kind: s.kind,
      unit: s.unit,
      value: nul(s.value),
      status: nul(s.status),
      severity: s.status === undefined ? null : IPMI_SEVERITY[s.status],
      thresholds: {
        lower_non_recoverable: nul(s.thresholds.lowerNonRecoverable),
        lower_critical: nul(s.thresholds.lowerCritical),
        lower_non_critical: nul(s.thresholds.lowerNonCritical),
        upper_non_critical: nul(s.thresholds.upperNonCritical),
        upper_critical: nul(s.thresholds.upperCritical),
        upper_non_recoverable: nul(s.thresholds.upperNonRecoverable),
      },
    })),
  };
}

export function upsView(ups: UpsSnapshot): z.input<typeof upsSchema> {
  return {
    upses: ups.upses.map((u) => ({
      ups: u.ups,
      server: u.server,
      description: nul(u.description),
      up: u.up,
      error: nul(u.error),
      model: nul(u.model),
      manufacturer: nul(u.mfr),
      serial: nul(u.serial),
      driver: nul(u.driver),
      status: u.status ?? [],
      battery_charge_ratio: nul(u.batteryChargeRatio),
      load_ratio: nul(u.loadRatio),
      battery_runtime_seconds: nul(u.batteryRuntimeSeconds),
      input_volts: nul(u.inputVolts),
      output_volts: nul(u.outputVolts),
      battery_volts: nul(u.batteryVolts),
      realpower_watts: nul(u.realpowerWatts),
    })),
    servers: ups.servers.map((s) => ({ server: s.server, up: s.up, error: nul(s.error) })),
  };
}

/** Everything gpuView has, plus the counters only the per-GPU page shows. */
export function gpuDetailView(g: Gpu): z.input<typeof gpuDetailResponse>['gpu'] {
  return {
    ...gpuView(g),
    requested_clocks_hertz: clocksView(g.requestedClocksHertz),
    clock_event_seconds: Object.fromEntries(
      Object.entries(g.clockEventSeconds).filter((e): e is [string, number] => e[1] !== undefined),
    ),
    remapped_rows: {
      correctable: nul(g.remappedRows.correctable),
      uncorrectable: nul(g.remappedRows.uncorrectable),
      pending: nul(g.remappedRows.pending),
      failure: nul(g.remappedRows.failure),
    },
    retired_pages: {
      single_bit_ecc: nul(g.retiredPages.singleBitEcc),
      double_bit_ecc: nul(g.retiredPages.doubleBitEcc),
      pending: nul(g.retiredPages.pending),
    },
  };
}
