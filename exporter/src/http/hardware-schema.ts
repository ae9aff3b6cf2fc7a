import { z } from 'zod';
import { sourceStatusSchema } from './source-status.js';

/** Response shapes of /api/hardware. Unknown values are null, never 0. */

const num = z.number().nullable();
const str = z.string().nullable();

export const cpuSchema = z.object({
  model_name: str,
  vendor: str,
  architecture: str,
  count: num.describe('logical CPUs the kernel runs on (/proc/stat); lscpu’s CPU(s) when that is missing'),
  online: str.describe('as lscpu prints it: 0-15'),
  sockets: num,
  cores_per_socket: num,
  threads_per_core: num,
  numa_nodes: num,
  max_hertz: num,
  min_hertz: num,
  virtualization: str.describe('VT-x or AMD-V: the host can run hardware-accelerated guests'),
  hypervisor: str.describe('set when this host is itself a virtual machine'),
  caches: z.object({ l1d_bytes: num, l1i_bytes: num, l2_bytes: num, l3_bytes: num }),
  flags: z.array(z.string()),
});

export const pciDeviceSchema = z.object({
  slot: z.string().describe('0000:01:00.0'),
  class: str,
  class_id: str,
  vendor: str,
  vendor_id: str,
  device: str,
  device_id: str,
  subsystem_vendor: str,
  subsystem_vendor_id: str,
  subsystem_device: str,
  subsystem_device_id: str,
  revision: str,
  driver: str.describe('kernel driver in use; vfio-pci for a device passed through to a guest'),
  modules: z.array(z.string()),
  physical_slot: str,
  numa_node: num,
  iommu_group: num,
});

const memoryModuleSchema = z.object({
  locator: str,
  bank_locator: str,
  installed: z.boolean(),
  size_bytes: num,
  form_factor: str,
  type: str.describe('DDR4, DDR5, …'),
  type_detail: str,
  speed_transfers_per_second: num,
  configured_speed_transfers_per_second: num,
  manufacturer: str,
  serial: str,
  part_number: str,
  rank: num,
});

export const memorySchema = z.object({
  installed_bytes: num.describe('sum of the modules dmidecode lists'),
  slots: num,
  slots_used: z.number().int(),
  error_correction: str,
  max_capacity_bytes: num,
  modules: z.array(memoryModuleSchema),
});

const clocks = z.object({ graphics: num, sm: num, memory: num, video: num });

export const gpuSchema = z.object({
  id: z.string().describe('NVIDIA UUID, or the PCI slot for other vendors'),
  vendor: z.enum(['nvidia', 'intel']),
  index: num,
  name: str,
  driver: str,
  pci_bus: str,
  utilization_ratio: num,
  memory_utilization_ratio: num,
  memory_used_bytes: num,
  memory_total_bytes: num,
  temperature_celsius: num,
  memory_temperature_celsius: num,
  power_watts: num,
  power_limit_watts: num,
  package_power_watts: num.describe('Intel integrated GPUs: RAPL package (CPU and GPU together)'),
  fan_ratio: num,
  performance_state: num.describe('0 for P0 … 15'),
  encoder_utilization_ratio: num,
  decoder_utilization_ratio: num,
  encoder_sessions: num,
  clocks_hertz: clocks,
  max_clocks_hertz: clocks,
  ecc_errors: z.object({ corrected: num, uncorrected: num }),
  clock_event_reasons_active: z.array(z.string()).describe('why clocks are held down now'),
  pcie: z.object({ generation: num, max_generation: num, width: num, max_width: num }),
  engines: z.array(z.object({ engine: z.string(), busy_ratio: num })),
  rc6_ratio: num,
});

const alarms = z.array(z.string()).describe('active alarm and fault flags (crit_alarm, fault, …)');

export const sensorsSchema = z.object({
  temperatures: z.array(
    z.object({
      chip: z.string(),
      sensor: z.string(),
      celsius: num,
      critical_celsius: num,
      max_celsius: num,
      alarms,
    }),
  ),
  fans: z.array(z.object({ chip: z.string(), sensor: z.string(), rpm: num, alarms })),
});

export const ipmiSchema = z.object({
  sensors: z.array(
    z.object({
      sensor: z.string(),
      kind: z.enum(['temperature', 'fan', 'voltage', 'power', 'current', 'other']),
      unit: z.string(),
      value: num,
      status: z.enum(['ok', 'nc', 'cr', 'nr']).nullable(),
      severity: num.describe('0 OK, 2 WARNING, 3 CRITICAL'),
      thresholds: z.object({
        lower_non_recoverable: num,
        lower_critical: num,
        lower_non_critical: num,
        upper_non_critical: num,
        upper_critical: num,
        upper_non_recoverable: num,
      }),
    }),
  ),
});

export const upsSchema = z.object({
  upses: z.array(
    z.object({
      ups: z.string().describe('name, or name@host for a remote NUT server'),
      server: z.string(),
      description: str,
      up: z.boolean(),
      error: str,
      model: str,
      manufacturer: str,
      serial: str,
      driver: str,
      status: z.array(z.string()).describe('ups.status flags: OL, OB, LB, …'),
      battery_charge_ratio: num,
      load_ratio: num,
      battery_runtime_seconds: num,
      input_volts: num,
      output_volts: num,
      battery_volts: num,
      realpower_watts: num,
    }),
  ),
  servers: z.array(z.object({ server: z.string(), up: z.boolean(), error: str })),
});

export const systemSchema = z.object({
  manufacturer: str,
  product_name: str,
  version: str,
  serial: str,
  uuid: str,
  sku: str,
  family: str,
});
export const boardSchema = z.object({ manufacturer: str, product_name: str, version: str, serial: str });
export const biosSchema = z.object({
  vendor: str,
  version: str,
  release_date: str.describe('as the firmware reports it, MM/DD/YYYY'),
  revision: str,
  firmware_revision: str,
});

export const hardwareResponse = z.object({
  cpu: cpuSchema,
  system: systemSchema.nullable().describe('null without dmidecode or SMBIOS tables'),
  board: boardSchema.nullable(),
  bios: biosSchema.nullable(),
  memory: memorySchema.nullable().describe('null without dmidecode or SMBIOS tables'),
  pci_devices: z.array(pciDeviceSchema).nullable().describe('null without lspci'),
  gpus: z.array(gpuSchema),
  sensors: sensorsSchema,
  ipmi: ipmiSchema.nullable().describe('null without ipmitool or a BMC'),
  ups: upsSchema.nullable().describe('null without NUT'),
  inventory_missing: z
    .object({ lscpu: str, lspci: str, dmidecode: str })
    .describe('why a part of the inventory is null'),
  sources: z.record(z.string(), sourceStatusSchema),
});

export const gpuDetailResponse = z.object({
  gpu: gpuSchema.extend({
    requested_clocks_hertz: clocks,
    clock_event_seconds: z.record(z.string(), z.number()).describe('time clocks were held down, per reason'),
    remapped_rows: z.object({
      correctable: num,
      uncorrectable: num,
      pending: z.boolean().nullable(),
      failure: z.boolean().nullable(),
    }),
    retired_pages: z.object({ single_bit_ecc: num, double_bit_ecc: num, pending: z.boolean().nullable() }),
  }),
  processes: z
    .array(z.object({ pid: z.number(), name: z.string(), used_memory_bytes: num }))
    .nullable()
    .describe('null unless gpu.processes is enabled'),
  pci_device: pciDeviceSchema.nullable().describe('the lspci record at the GPU’s slot'),
});
