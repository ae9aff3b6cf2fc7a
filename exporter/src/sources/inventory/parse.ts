import { fail, ok, type Result } from '../source.js';
import type {
  BaseboardInfo,
  BiosInfo,
  CpuInventory,
  DmiInventory,
  MemoryArray,
  MemoryModule,
  PciDevice,
  SystemInfo,
} from './types.js';

const POWERS: Readonly<Record<string, number>> = { '': 0, B: 0, K: 1, M: 2, G: 3, T: 4, P: 5, E: 6, Z: 7 };

/**
 * "768 KiB (16 instances)" (util-linux 2.34+), "32K" (older lscpu), "16 GB" / "16384 MB" / "16 GiB"
 * (dmidecode before and after 3.7 switched to binary prefixes): all binary multiples.
 */
function parseSize(text: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(?:([KMGTPEZ]?)(?:i?B)?|bytes)(?:\s|\(|$)/i.exec(text?.trim() ?? '');
  if (!m) return undefined;
  const power = POWERS[(m[2] ?? '').toUpperCase()] ?? 0;
  return Math.round(Number(m[1]) * 1024 ** power);
}

const integer = (text: string | undefined) =>
  text !== undefined && /^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `lscpu -J`: `{"lscpu": [{"field": "Model name:", "data": "..."}, ...]}`. util-linux 2.37+ nests
 * fields under `children` on a terminal (and with --hierarchic=always); through a pipe it stays flat,
 * so both are read. A field that appears more than once (each core type of a hybrid ARM SoC has its
 * own "Model name:") keeps its first value.
 */
export function parseLscpuJson(text: string): Result<CpuInventory> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return fail('parse', `lscpu -J: not JSON (${(err as Error).message})`);
  }
  const rows = isObject(doc) ? doc.lscpu : undefined;
  if (!Array.isArray(rows)) return fail('parse', 'lscpu -J: no "lscpu" list');
  const fields = new Map<string, string>();
  const walk = (items: unknown[], depth: number) => {
    for (const item of items) {
      if (!isObject(item)) continue;
      const { field, data, children } = item;
      if (typeof field === 'string' && typeof data === 'string') {
        const key = field.trim().replace(/:$/, '');
        if (!fields.has(key)) fields.set(key, data.trim());
      }
      if (Array.isArray(children) && depth < 8) walk(children, depth + 1);
    }
  };
  walk(rows, 0);

  const str = (name: string) => fields.get(name) || undefined;
  const hertz = (name: string) => {
    const v = fields.get(name);
    return v !== undefined && /^\d+(\.\d+)?$/.test(v) ? Math.round(Number(v) * 1e6) : undefined;
  };
  // Flat output says "L2 cache:"; the hierarchic one "L2:" under "Caches (sum of all):".
  const cache = (level: string) => parseSize(fields.get(`${level} cache`) ?? fields.get(level));
  const cpu: CpuInventory = {
    architecture: str('Architecture'),
    vendor: str('Vendor ID'),
    modelName: str('Model name'),
    cpus: integer(fields.get('CPU(s)')),
    onlineCpus: str('On-line CPU(s) list'),
    sockets: integer(fields.get('Socket(s)')),
    coresPerSocket: integer(fields.get('Core(s) per socket') ?? fields.get('Core(s) per cluster')),
    threadsPerCore: integer(fields.get('Thread(s) per core')),
    numaNodes: integer(fields.get('NUMA node(s)')),
    maxHertz: hertz('CPU max MHz'),
    minHertz: hertz('CPU min MHz'),
    virtualization: str('Virtualization'),
    hypervisor: str('Hypervisor vendor'),
    caches: dropUndefined({
      l1d: cache('L1d'),
      l1i: cache('L1i'),
      l2: cache('L2'),
      l3: cache('L3'),
    }),
    flags: (fields.get('Flags') ?? '').split(/\s+/).filter(Boolean),
  };
  if (cpu.architecture === undefined && cpu.modelName === undefined && cpu.cpus === undefined)
    return fail('parse', 'lscpu -J: none of Architecture, Model name or CPU(s)');
  return ok(dropUndefined(cpu));
}

const PCI_SLOT = /^(?:([0-9a-f]{4,8}):)?([0-9a-f]{2}:[0-9a-f]{2}\.[0-7])$/i;

/** "Intel Corporation [8086]" (with -nn) → name and id; lspci's "Device [0d57]" has no name. */
function nameAndId(value: string | undefined): { name?: string; id?: string } {
  if (value === undefined) return {};
  const m = /^(.*?)\s*\[([0-9a-f]{4,6})\]$/i.exec(value);
  const name = (m ? m[1] : value)?.trim();
  return {
    ...(name && !/^(Device|Vendor)$/.test(name) && { name }),
    ...(m?.[2] && { id: m[2].toLowerCase() }),
  };
}

/**
 * `lspci -vmm -D -nn -k`: one record per device, `Key:<TAB>value` lines, records separated by a blank
 * line (pciutils' documented machine-readable format; keys it does not know are ignored, as it asks).
 */
export function parseLspciVmm(text: string): Result<PciDevice[]> {
  const devices: PciDevice[] = [];
  let rejected = 0;
  for (const block of text.split(/\n[ \t]*\n/)) {
    if (block.trim() === '') continue;
    const values = new Map<string, string>();
    const modules: string[] = [];
    for (const line of block.split('\n')) {
      const m = /^([A-Za-z]+):\s*(.*?)\s*$/.exec(line);
      if (!m?.[1] || m[2] === undefined || m[2] === '') continue;
      if (m[1] === 'Module') modules.push(m[2]);
      else if (!values.has(m[1])) values.set(m[1], m[2]);
    }
    const slot = PCI_SLOT.exec(values.get('Slot') ?? '');
    if (!slot) {
      rejected++;
      continue;
    }
    const cls = nameAndId(values.get('Class'));
    const vendor = nameAndId(values.get('Vendor'));
    const device = nameAndId(values.get('Device'));
    const sVendor = nameAndId(values.get('SVendor'));
    const sDevice = nameAndId(values.get('SDevice'));
    devices.push(
      dropUndefined({
        slot: `${(slot[1] ?? '0000').padStart(4, '0')}:${slot[2]}`.toLowerCase(),
        class: cls.name,
        classId: cls.id,
        vendor: vendor.name,
        vendorId: vendor.id,
        device: device.name,
        deviceId: device.id,
        subsystemVendor: sVendor.name,
        subsystemVendorId: sVendor.id,
        subsystemDevice: sDevice.name,
        subsystemDeviceId: sDevice.id,
        revision: values.get('Rev'),
        progIf: values.get('ProgIf'),
        driver: values.get('Driver'),
        modules,
        physicalSlot: values.get('PhySlot'),
        numaNode: integer(values.get('NUMANode')),
        iommuGroup: integer(values.get('IOMMUGroup')),
      }),
    );
  }
  if (devices.length === 0 && rejected > 0)
    return fail('parse', `lspci -vmm: no record with a Slot (${rejected} other blocks)`);
  return ok(devices);
}

/** What BIOSes put in fields nobody filled in; dmidecode itself prints "Not Specified" for an empty one. */
const PLACEHOLDERS = new Set([
  'not specified',
  'not provided',
  'not available',
  'not applicable',
  'not present',
  'not settable',
  'to be filled by o.e.m.',
  'to be filled by oem',
  'default string',
  'unknown',
  'none',
  'n/a',
  'no dimm',
  'not installed',
  'empty',
  'system product name',
  'system manufacturer',
  'system version',
  'system serial number',
  '<bad index>',
  '<out of spec>',
  '0123456789',
]);

const known = (value: string | undefined) =>
  value === undefined || value === '' || PLACEHOLDERS.has(value.toLowerCase()) || /^0+$/.test(value)
    ? undefined
    : value;

/** "2933 MT/s", "2400 MHz" (dmidecode before 3.2), "667 MHz (1.5 ns)" (2.x) → transfers per second. */
function parseSpeed(value: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(MT\/s|MHz)/i.exec(value ?? '');
  return m ? Math.round(Number(m[1]) * 1e6) : undefined;
}

/**
 * `dmidecode [-q] -t 0,1,2,16,17`: records separated by blank lines, each a title line ("Memory
 * Device") after an optional `Handle 0x..., DMI type N, M bytes` line, then `<TAB>Key: value`
 * lines; `<TAB><TAB>` lines are list items (BIOS characteristics) and are skipped.
 */
export function parseDmidecode(text: string): Result<DmiInventory> {
  const out: DmiInventory = { memoryArrays: [], memory: [] };
  let records = 0;
  for (const block of text.split(/\n[ \t]*\n/)) {
    let title: string | undefined;
    const f = new Map<string, string>();
    for (const line of block.split('\n')) {
      if (line.trim() === '' || line.startsWith('\t\t')) continue;
      if (line.startsWith('\t')) {
        const m = /^\t([^:]+):[ \t]*(.*)$/.exec(line);
        const key = m?.[1]?.trim();
        if (title !== undefined && key && !f.has(key)) f.set(key, (m?.[2] ?? '').trim());
        continue;
      }
      if (/^(#|Handle 0x|Getting SMBIOS|SMBIOS \d|Table at|Scanning |Invalid |Wrong )/.test(line)) continue;
      title ??= line.trim();
    }
    const v = (key: string) => known(f.get(key));
    switch (title) {
      case 'BIOS Information':
        out.bios ??= dropUndefined<BiosInfo>({
          vendor: v('Vendor'),
          version: v('Version'),
          releaseDate: v('Release Date'),
          revision: v('BIOS Revision'),
          firmwareRevision: v('Firmware Revision'),
        });
        break;
      case 'System Information':
        out.system ??= dropUndefined<SystemInfo>({
          manufacturer: v('Manufacturer'),
          productName: v('Product Name'),
          version: v('Version'),
          serial: v('Serial Number'),
          uuid: v('UUID'),
          sku: v('SKU Number'),
          family: v('Family'),
        });
        break;
      case 'Base Board Information':
        out.baseboard ??= dropUndefined<BaseboardInfo>({
          manufacturer: v('Manufacturer'),
          productName: v('Product Name'),
          version: v('Version'),
          serial: v('Serial Number'),
        });
        break;
      case 'Physical Memory Array':
        out.memoryArrays.push(
          dropUndefined<MemoryArray>({
            location: v('Location'),
            use: v('Use'),
            errorCorrection: f.get('Error Correction Type') || undefined,
            maxCapacityBytes: parseSize(f.get('Maximum Capacity')),
            slots: integer(f.get('Number Of Devices')),
          }),
        );
        break;
      case 'Memory Device': {
        const size = f.get('Size') ?? '';
        out.memory.push(
          dropUndefined<MemoryModule>({
            locator: v('Locator'),
            bankLocator: v('Bank Locator'),
            installed: !/no module installed|not installed/i.test(size),
            sizeBytes: parseSize(size),
            formFactor: v('Form Factor'),
            type: v('Type'),
            typeDetail: v('Type Detail'),
            speedTransfersPerSecond: parseSpeed(f.get('Speed')),
            configuredSpeedTransfersPerSecond: parseSpeed(
              f.get('Configured Memory Speed') ?? f.get('Configured Clock Speed'),
            ),
            manufacturer: v('Manufacturer'),
            serial: v('Serial Number'),
            partNumber: v('Part Number'),
            rank: integer(f.get('Rank')),
          }),
        );
        break;
      }
      default:
        continue;
    }
    records++;
  }
  if (records === 0) {
    if (/No SMBIOS nor DMI entry point found/i.test(text))
      return fail('absent', 'dmidecode: no SMBIOS or DMI entry point');
    return fail('parse', 'dmidecode: no BIOS, system, board or memory records');
  }
  return ok(out);
}

/** Optional properties stay absent rather than present-but-undefined, so results compare cleanly. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
