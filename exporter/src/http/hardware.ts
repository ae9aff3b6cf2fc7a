import { Router } from 'express';
import { currentGpus } from '../metrics/gpu.js';
import { pickSensorChips } from '../metrics/sensors.js';
import type { SnapshotReader } from '../snapshots.js';
import { CPU_SOURCE, type CpuSnapshot } from '../sources/cpu/index.js';
import { INTEL_GPU_SOURCE, NVIDIA_SOURCE, type Gpu, type GpuSnapshot } from '../sources/gpu/index.js';
import { normalisePciAddress } from '../sources/gpu/types.js';
import { INVENTORY_SOURCE, type InventorySnapshot } from '../sources/inventory/index.js';
import { IPMI_SOURCE, type IpmiSnapshot } from '../sources/ipmi/index.js';
import { UPS_SOURCE, type UpsSnapshot } from '../sources/ups/index.js';
import { errors } from './errors.js';
import { gpuDetailResponse, hardwareResponse } from './hardware-schema.js';
import {
  biosView,
  boardView,
  cpuView,
  gpuDetailView,
  gpuView,
  ipmiView,
  memoryView,
  nul,
  pciView,
  sensorsView,
  systemView,
  upsView,
} from './hardware-views.js';
import { ApiRouter } from './route.js';
import { sourceStatus } from './source-status.js';

export interface HardwareRouterDeps {
  snapshots: SnapshotReader;
}

/** The sources /api/hardware draws on, reported with it. */
const SOURCES = [
  INVENTORY_SOURCE,
  CPU_SOURCE,
  'sensors',
  'hwmon',
  NVIDIA_SOURCE,
  INTEL_GPU_SOURCE,
  IPMI_SOURCE,
  UPS_SOURCE,
];

/** By UUID (any case), PCI slot in any of the forms tools print, or nvidia-smi / DRM index. */
function findGpu(gpus: readonly Gpu[], key: string): Gpu | undefined {
  const wanted = key.trim().toLowerCase();
  const slot = normalisePciAddress(
    /^[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i.test(wanted) ? `0000:${wanted}` : wanted,
  );
  return (
    gpus.find((g) => g.id.toLowerCase() === wanted) ??
    gpus.find((g) => g.pciBus !== undefined && g.pciBus === slot) ??
    (/^\d+$/.test(wanted) ? gpus.find((g) => g.index === Number(wanted)) : undefined)
  );
}

export function createHardwareRouter({ snapshots }: HardwareRouterDeps): ApiRouter {
  const api = new ApiRouter('/api/hardware', Router(), 'hardware');

  api.route(
    {
      method: 'get',
      path: '/',
      auth: 'read',
      summary: 'CPU, system, board, BIOS, memory modules, PCI devices, GPUs, sensors and fans, IPMI, UPS',
      response: hardwareResponse,
    },
    () => {
      const inventory = snapshots.latest<InventorySnapshot>(INVENTORY_SOURCE);
      const dmi = inventory?.dmi ?? undefined;
      const ipmi = snapshots.latest<IpmiSnapshot>(IPMI_SOURCE);
      const ups = snapshots.latest<UpsSnapshot>(UPS_SOURCE);
      const missing = inventory?.missing ?? {};
      const noInventory = inventory ? null : 'no inventory yet';
      return {
        cpu: cpuView(inventory?.cpu ?? undefined, snapshots.latest<CpuSnapshot>(CPU_SOURCE)),
        system: dmi?.system ? systemView(dmi.system) : null,
        board: dmi?.baseboard ? boardView(dmi.baseboard) : null,
        bios: dmi?.bios ? biosView(dmi.bios) : null,
        memory: dmi && dmi.memory.length ? memoryView(dmi) : null,
        pci_devices: inventory?.pci ? inventory.pci.map(pciView) : null,
        gpus: currentGpus(snapshots).map(gpuView),
        sensors: sensorsView(pickSensorChips(snapshots)),
        ipmi: ipmi ? ipmiView(ipmi) : null,
        ups: ups ? upsView(ups) : null,
        inventory_missing: {
          lscpu: missing.lscpu ?? noInventory,
          lspci: missing.lspci ?? noInventory,
          dmidecode: missing.dmidecode ?? noInventory,
        },
        sources: Object.fromEntries(SOURCES.map((s) => [s, sourceStatus(snapshots, s)])),
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/gpu/:id',
      auth: 'read',
      summary: 'One GPU in full, by UUID, PCI slot (0000:01:00.0) or index',
      response: gpuDetailResponse,
    },
    ({ params }) => {
      const key = params.id ?? '';
      const g = findGpu(currentGpus(snapshots), key);
      if (!g) throw errors.notFound(`no GPU ${key} (by UUID, PCI slot or index)`);
      const processes =
        g.vendor === 'nvidia' ? snapshots.latest<GpuSnapshot>(NVIDIA_SOURCE)?.processes : undefined;
      const pci = snapshots
        .latest<InventorySnapshot>(INVENTORY_SOURCE)
        ?.pci?.find((d) => g.pciBus !== undefined && d.slot === g.pciBus);
      return {
        gpu: gpuDetailView(g),
        processes: processes
          ? processes
              .filter((p) => p.gpu === g.id)
              .map((p) => ({ pid: p.pid, name: p.name, used_memory_bytes: nul(p.usedMemoryBytes) }))
          : null,
        pci_device: pci ? pciView(pci) : null,
      };
    },
  );
  return api;
}
