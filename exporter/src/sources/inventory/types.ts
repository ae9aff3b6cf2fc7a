/**
 * The host's hardware inventory, for the API. Values are as the tools report them, sizes in bytes and
 * clocks in hertz; whatever a tool did not report (or reported as a placeholder such as "Not
 * Specified" or "To Be Filled By O.E.M.") is left undefined.
 */

/** `lscpu -J`. */
export interface CpuInventory {
  architecture?: string;
  /** "GenuineIntel", "AuthenticAMD", "ARM" */
  vendor?: string;
  modelName?: string;
  /** Logical CPUs. */
  cpus?: number;
  /** As lscpu prints it: "0-15". */
  onlineCpus?: string;
  sockets?: number;
  /** Per socket; per cluster on ARM machines that report clusters instead. */
  coresPerSocket?: number;
  threadsPerCore?: number;
  numaNodes?: number;
  maxHertz?: number;
  minHertz?: number;
  /** VT-x, AMD-V: the host can run hardware-accelerated VMs. */
  virtualization?: string;
  /** Set when this machine is itself a guest (KVM, VMware, Microsoft). */
  hypervisor?: string;
  /** Cache sizes as lscpu prints them: all instances together since util-linux 2.34. */
  caches: { l1d?: number; l1i?: number; l2?: number; l3?: number };
  flags: string[];
}

/** One `lspci -vmm -D -nn -k` record. Ids are the lower-case hex numbers from `-nn`. */
export interface PciDevice {
  /** `0000:01:00.0` */
  slot: string;
  class?: string;
  classId?: string;
  vendor?: string;
  vendorId?: string;
  device?: string;
  deviceId?: string;
  subsystemVendor?: string;
  subsystemVendorId?: string;
  subsystemDevice?: string;
  subsystemDeviceId?: string;
  revision?: string;
  progIf?: string;
  /** Kernel driver in use (`vfio-pci` for a device passed through to a VM). */
  driver?: string;
  /** Kernel modules able to drive it. */
  modules: string[];
  physicalSlot?: string;
  numaNode?: number;
  iommuGroup?: number;
}

export interface BiosInfo {
  vendor?: string;
  version?: string;
  /** As printed, MM/DD/YYYY. */
  releaseDate?: string;
  revision?: string;
  firmwareRevision?: string;
}

export interface SystemInfo {
  manufacturer?: string;
  productName?: string;
  version?: string;
  serial?: string;
  uuid?: string;
  sku?: string;
  family?: string;
}

export interface BaseboardInfo {
  manufacturer?: string;
  productName?: string;
  version?: string;
  serial?: string;
}

/** A Physical Memory Array (type 16): the slots and what the board supports. */
export interface MemoryArray {
  location?: string;
  use?: string;
  /** "None", "Single-bit ECC", "Multi-bit ECC" */
  errorCorrection?: string;
  maxCapacityBytes?: number;
  slots?: number;
}

/** A Memory Device (type 17): one slot, filled or not. */
export interface MemoryModule {
  locator?: string;
  bankLocator?: string;
  /** False for "Size: No Module Installed". */
  installed: boolean;
  sizeBytes?: number;
  formFactor?: string;
  /** DDR4, DDR5, ... */
  type?: string;
  typeDetail?: string;
  /** Rated speed; dmidecode prints MT/s (MHz before 3.2), one transfer per tick. */
  speedTransfersPerSecond?: number;
  configuredSpeedTransfersPerSecond?: number;
  manufacturer?: string;
  serial?: string;
  partNumber?: string;
  rank?: number;
}

/** `dmidecode -t 0,1,2,16,17`. */
export interface DmiInventory {
  bios?: BiosInfo;
  system?: SystemInfo;
  baseboard?: BaseboardInfo;
  memoryArrays: MemoryArray[];
  memory: MemoryModule[];
}

export type InventoryPart = 'lscpu' | 'lspci' | 'dmidecode';

export interface InventorySnapshot {
  cpu: CpuInventory | null;
  pci: PciDevice[] | null;
  dmi: DmiInventory | null;
  /** Why a part is null: the tool is missing, failed, or found nothing to report. */
  missing: Partial<Record<InventoryPart, string>>;
}
