import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Result } from '../source.js';
import { parseDmidecode, parseLscpuJson, parseLspciVmm } from './parse.js';

const text = (file: string) => readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('parseLscpuJson', () => {
  it('reads the flat Debian 12 KVM capture (util-linux 2.38.1, no caches or MHz)', () => {
    const cpu = value(parseLscpuJson(text('lscpu-J-debian12-kvm-epyc.json')));
    const { flags, ...rest } = cpu;
    expect(rest).toEqual({
      architecture: 'x86_64',
      vendor: 'AuthenticAMD',
      modelName: 'AMD EPYC',
      cpus: 2,
      onlineCpus: '0,1',
      sockets: 1,
      coresPerSocket: 2,
      threadsPerCore: 1,
      numaNodes: 1,
      caches: {},
    });
    expect(flags).toContain('avx512f');
    expect(flags).toContain('hypervisor');
    expect(flags[0]).toBe('fpu');
  });

  it('reads the Ubuntu 24.04 Xeon capture: caches as summed KiB/MiB, hypervisor', () => {
    const cpu = value(parseLscpuJson(text('lscpu-J-ubuntu2404-kvm-xeon.json')));
    expect(cpu).toMatchObject({
      architecture: 'x86_64',
      vendor: 'GenuineIntel',
      modelName: 'Intel(R) Xeon(R) Processor',
      cpus: 16,
      onlineCpus: '0-15',
      sockets: 1,
      coresPerSocket: 16,
      threadsPerCore: 1,
      numaNodes: 1,
      hypervisor: 'KVM',
      caches: { l1d: 768 * 1024, l1i: 512 * 1024, l2: 32 * 1024 ** 2, l3: 300 * 1024 ** 2 },
    });
    expect(cpu.virtualization).toBeUndefined();
  });

  it('reads the hierarchic form (children, null section headers, "L2:" cache names; constructed)', () => {
    const cpu = value(parseLscpuJson(text('lscpu-J-hierarchic-xeon-gold-2s-constructed.json')));
    const { flags, ...rest } = cpu;
    expect(rest).toEqual({
      architecture: 'x86_64',
      vendor: 'GenuineIntel',
      modelName: 'Intel(R) Xeon(R) Gold 6230R CPU @ 2.10GHz',
      cpus: 104,
      onlineCpus: '0-103',
      sockets: 2,
      coresPerSocket: 26,
      threadsPerCore: 2,
      numaNodes: 2,
      maxHertz: 4_000_000_000,
      minHertz: 1_000_000_000,
      virtualization: 'VT-x',
      caches: {
        l1d: Math.round(1.6 * 1024 ** 2),
        l1i: Math.round(1.6 * 1024 ** 2),
        l2: 52 * 1024 ** 2,
        l3: Math.round(71.5 * 1024 ** 2),
      },
    });
    expect(flags).toContain('vmx');
  });

  it('reads old "32K" cache sizes and an aarch64 host with clusters and no sockets (constructed)', () => {
    const rows = [
      ['Architecture:', 'aarch64'],
      ['CPU(s):', '8'],
      ['Vendor ID:', 'ARM'],
      ['Model name:', 'Cortex-A55'],
      ['Core(s) per cluster:', '4'],
      ['Socket(s):', '-'],
      ['Model name:', 'Cortex-A76'],
      ['L2 cache:', '256K'],
      ['CPU max MHz:', '2208.0000'],
    ];
    const cpu = value(
      parseLscpuJson(JSON.stringify({ lscpu: rows.map(([field, data]) => ({ field, data })) })),
    );
    expect(cpu).toEqual({
      architecture: 'aarch64',
      cpus: 8,
      vendor: 'ARM',
      modelName: 'Cortex-A55',
      coresPerSocket: 4,
      maxHertz: 2_208_000_000,
      caches: { l2: 256 * 1024 },
      flags: [],
    });
  });

  it('is a parse error for text that is not lscpu JSON', () => {
    for (const bad of ['', 'lscpu: invalid option', '{"cpus": []}', '{"lscpu": [{"field": "Flags:"}]}'])
      expect(parseLscpuJson(bad)).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });
});

describe('parseLspciVmm', () => {
  it('reads the Debian 12 KVM capture: virtio devices, an id without a name, drivers', () => {
    const devices = value(parseLspciVmm(text('lspci-vmm-D-nn-k-debian12-kvm.txt')));
    expect(devices.map((d) => d.slot)).toEqual([
      '0000:00:00.0',
      '0000:00:01.0',
      '0000:00:02.0',
      '0000:00:03.0',
      '0000:00:04.0',
      '0000:00:05.0',
    ]);
    expect(devices[0]).toEqual({
      slot: '0000:00:00.0',
      class: 'Host bridge',
      classId: '0600',
      vendor: 'Intel Corporation',
      vendorId: '8086',
      deviceId: '0d57',
      progIf: '00',
      modules: [],
    });
    expect(devices[3]).toEqual({
      slot: '0000:00:03.0',
      class: 'Ethernet controller',
      classId: '0200',
      vendor: 'Red Hat, Inc.',
      vendorId: '1af4',
      device: 'Virtio 1.0 network device',
      deviceId: '1041',
      subsystemVendor: 'Red Hat, Inc.',
      subsystemVendorId: '1af4',
      subsystemDevice: 'Virtio 1.0 network device',
      subsystemDeviceId: '1041',
      revision: '01',
      progIf: '00',
      driver: 'virtio-pci',
      modules: [],
    });
  });

  it('reads a PVE host with a GPU on vfio-pci: brackets in names, modules, NUMA node, IOMMU group (constructed)', () => {
    const devices = value(parseLspciVmm(text('lspci-vmm-D-nn-k-pve-host-constructed.txt')));
    expect(devices).toHaveLength(6);
    expect(devices.find((d) => d.slot === '0000:af:00.0')).toEqual({
      slot: '0000:af:00.0',
      class: 'VGA compatible controller',
      classId: '0300',
      vendor: 'NVIDIA Corporation',
      vendorId: '10de',
      device: 'GA102 [GeForce RTX 3090]',
      deviceId: '2204',
      subsystemVendor: 'eVga.com. Corp.',
      subsystemVendorId: '3842',
      subsystemDeviceId: '3987',
      physicalSlot: '6',
      revision: 'a1',
      progIf: '00',
      driver: 'vfio-pci',
      modules: ['nvidiafb', 'nouveau'],
      numaNode: 1,
      iommuGroup: 72,
    });
    expect(devices.find((d) => d.slot === '0000:00:17.0')?.device).toBe(
      'C620 Series Chipset Family SATA Controller [AHCI mode]',
    );
  });

  it('adds the domain to slots printed without -D and accepts names without -nn ids', () => {
    expect(
      value(parseLspciVmm('Slot:\t01:00.0\nClass:\tVGA compatible controller\nDevice:\tDevice 1234\n')),
    ).toEqual([
      { slot: '0000:01:00.0', class: 'VGA compatible controller', device: 'Device 1234', modules: [] },
    ]);
  });

  it('is empty for no output, and a parse error for records without a slot', () => {
    expect(parseLspciVmm('')).toEqual({ ok: true, value: [] });
    expect(
      parseLspciVmm('pcilib: Cannot open /proc/bus/pci\nlspci: Cannot find any working access method.'),
    ).toMatchObject({
      ok: false,
      error: { kind: 'parse' },
    });
  });
});

describe('parseDmidecode', () => {
  it('reads BIOS, system, board and a half-filled memory array (3.4 format; constructed)', () => {
    const dmi = value(parseDmidecode(text('dmidecode-t-0-1-2-16-17-supermicro-x11dpi-constructed.txt')));
    expect(dmi.bios).toEqual({
      vendor: 'American Megatrends Inc.',
      version: '3.4',
      releaseDate: '11/19/2020',
      revision: '5.14',
    });
    // "0123456789" and "To be filled by O.E.M." are Supermicro's placeholders.
    expect(dmi.system).toEqual({
      manufacturer: 'Supermicro',
      productName: 'SYS-6029P-TRT',
      serial: 'S291751X0A12345',
      uuid: '00000000-0000-0000-0000-ac1f6b7a1234',
    });
    expect(dmi.baseboard).toEqual({
      manufacturer: 'Supermicro',
      productName: 'X11DPi-NT',
      version: '1.21',
      serial: 'ZM19AS012345',
    });
    expect(dmi.memoryArrays).toEqual([
      {
        location: 'System Board Or Motherboard',
        use: 'System Memory',
        errorCorrection: 'Single-bit ECC',
        maxCapacityBytes: 2 * 1024 ** 4,
        slots: 4,
      },
    ]);
    expect(dmi.memory).toEqual([
      {
        locator: 'P1-DIMMA1',
        bankLocator: 'P0_Node0_Channel0_Dimm0',
        installed: true,
        sizeBytes: 32 * 1024 ** 3,
        formFactor: 'DIMM',
        type: 'DDR4',
        typeDetail: 'Synchronous Registered (Buffered)',
        speedTransfersPerSecond: 2_933_000_000,
        configuredSpeedTransfersPerSecond: 2_666_000_000,
        manufacturer: 'Samsung',
        serial: '0368F3A1',
        partNumber: 'M393A4K40DB2-CVF',
        rank: 2,
      },
      {
        locator: 'P1-DIMMA2',
        bankLocator: 'P0_Node0_Channel0_Dimm1',
        installed: false,
        formFactor: 'DIMM',
      },
      expect.objectContaining({ locator: 'P1-DIMMB1', installed: true, serial: '0368F3B7' }),
      expect.objectContaining({ locator: 'P1-DIMMB2', installed: false }),
    ]);
  });

  it('reads older formats: -q without Handle lines, MB sizes, MHz speeds, Configured Clock Speed (constructed)', () => {
    const dmi = value(
      parseDmidecode(
        [
          'Memory Device',
          '\tSize: 16384 MB',
          '\tLocator: DIMM_A1',
          '\tType: DDR4',
          '\tSpeed: 2400 MHz',
          '\tManufacturer: 00AD00B300AD',
          '\tSerial Number: 00000000',
          '\tConfigured Clock Speed: 2133 MHz',
          '',
          'Memory Device',
          '\tSize: 1024 MB',
          '\tLocator: DIMM0',
          '\tSpeed: 667 MHz (1.5 ns)',
          '',
          'Base Board Information',
          '\tManufacturer: ASUSTeK COMPUTER INC.',
          '\tProduct Name: PRIME X570-P',
          '\tSerial Number: Default string',
        ].join('\n'),
      ),
    );
    expect(dmi.memory).toEqual([
      {
        locator: 'DIMM_A1',
        installed: true,
        sizeBytes: 16 * 1024 ** 3,
        type: 'DDR4',
        speedTransfersPerSecond: 2_400_000_000,
        configuredSpeedTransfersPerSecond: 2_133_000_000,
        manufacturer: '00AD00B300AD',
      },
      { locator: 'DIMM0', installed: true, sizeBytes: 1024 ** 3, speedTransfersPerSecond: 667_000_000 },
    ]);
    expect(dmi.baseboard).toEqual({ manufacturer: 'ASUSTeK COMPUTER INC.', productName: 'PRIME X570-P' });
    expect(dmi.bios).toBeUndefined();
    expect(parseDmidecode('Memory Device\n\tSize: 8 GiB\n\tSpeed: 5600 MT/s\n')).toMatchObject({
      ok: true,
      value: { memory: [{ sizeBytes: 8 * 1024 ** 3, speedTransfersPerSecond: 5_600_000_000 }] },
    });
  });

  it('says why there is nothing: the recorded no-DMI VM output, no entry point, other text', () => {
    expect(parseDmidecode(text('dmidecode-debian12-kvm-no-dmi.stdout.txt'))).toEqual({
      ok: false,
      error: { kind: 'parse', message: 'dmidecode: no BIOS, system, board or memory records' },
    });
    expect(parseDmidecode('# dmidecode 3.4\n# No SMBIOS nor DMI entry point found, sorry.\n')).toEqual({
      ok: false,
      error: { kind: 'absent', message: 'dmidecode: no SMBIOS or DMI entry point' },
    });
  });
});

describe('inventory parsers on random and truncated input', () => {
  const truncations = (file: string) => {
    const whole = text(file);
    return fc.nat(whole.length).map((n) => whole.slice(0, n));
  };
  const linesOf = (alphabet: string[]) =>
    fc
      .array(
        fc.tuple(fc.constantFrom(...alphabet), fc.string()).map(([k, v]) => `${k}${v}`),
        { maxLength: 30 },
      )
      .map((l) => l.join('\n'));

  it('lscpu: never throws; a result always names its fields correctly typed', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          truncations('lscpu-J-hierarchic-xeon-gold-2s-constructed.json'),
          fc
            .array(fc.record({ field: fc.string(), data: fc.oneof(fc.string(), fc.constant(null)) }))
            .map((rows) => JSON.stringify({ lscpu: rows })),
        ),
        (input) => {
          const r = parseLscpuJson(input);
          if (!r.ok) {
            expect(r.error.kind).toBe('parse');
            return;
          }
          for (const n of [r.value.cpus, r.value.sockets, r.value.maxHertz, ...Object.values(r.value.caches)])
            if (n !== undefined) expect(Number.isFinite(n)).toBe(true);
        },
      ),
    );
  });

  it('lspci: never throws; every device has a full slot', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          truncations('lspci-vmm-D-nn-k-pve-host-constructed.txt'),
          linesOf(['Slot:\t', 'Class:\t', 'Device:\t', 'Module:\t', 'NUMANode:\t', '', '\n']),
        ),
        (input) => {
          const r = parseLspciVmm(input);
          if (!r.ok) {
            expect(r.error.kind).toBe('parse');
            return;
          }
          for (const d of r.value) expect(d.slot).toMatch(/^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/);
        },
      ),
    );
  });

  it('dmidecode: never throws; sizes and speeds are finite', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          truncations('dmidecode-t-0-1-2-16-17-supermicro-x11dpi-constructed.txt'),
          linesOf(['Memory Device', '\tSize: ', '\tSpeed: ', '\tLocator: ', 'BIOS Information', '\t\t', '']),
        ),
        (input) => {
          const r = parseDmidecode(input);
          if (!r.ok) {
            expect(['parse', 'absent']).toContain(r.error.kind);
            return;
          }
          for (const m of r.value.memory) {
            if (m.sizeBytes !== undefined) expect(Number.isFinite(m.sizeBytes)).toBe(true);
            if (m.speedTransfersPerSecond !== undefined)
              expect(Number.isFinite(m.speedTransfersPerSecond)).toBe(true);
          }
        },
      ),
    );
  });
});
