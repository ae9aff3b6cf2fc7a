import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test-support/server.js';
import { makeTools } from '../test-support/tools.js';
import { gpuDetailResponse, hardwareResponse } from './hardware-schema.js';

const fakeBin = (name: string) => fileURLToPath(new URL(`../../../tests/fake-bin/${name}`, import.meta.url));
const H100 = 'GPU-6e1f9a28-3d00-140e-ed41-553106267e02';

/** lspci on the H100 host: the GPU at the slot nvidia-smi reports (constructed, pciutils -vmm format). */
const lspci = makeTools({
  lspci: [
    'printf "Slot:\\t0000:00:06.0\\nClass:\\t3D controller [0302]\\nVendor:\\tNVIDIA Corporation [10de]\\n"',
    'printf "Device:\\tGH100 [H100 SXM5 80GB] [2330]\\nSVendor:\\tNVIDIA Corporation [10de]\\nSDevice:\\tDevice [16c1]\\n"',
    'printf "Rev:\\ta1\\nProgIf:\\t00\\nDriver:\\tnvidia\\nModule:\\tnvidia\\n\\n"',
  ].join('\n'),
});

let s: TestServer;
let token: string;
let hw: ReturnType<typeof hardwareResponse.parse>;

beforeAll(async () => {
  s = await startTestServer({
    tools: {
      'nvidia-smi': fakeBin('nvidia-smi-h100'),
      ipmitool: fakeBin('ipmitool-supermicro'),
      lscpu: fakeBin('lscpu-recorded'),
      dmidecode: fakeBin('dmidecode-recorded'),
      lspci: lspci.path('lspci'),
    },
  });
  token = await s.adminToken();
  for (let i = 0; i < 100; i++) {
    hw = hardwareResponse.parse((await s.call('GET', '/api/hardware', { token })).body);
    const { inventory, nvidia, ipmi } = hw.sources;
    if (inventory?.fresh && nvidia?.fresh && ipmi?.fresh) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 20_000);
afterAll(() => s.stop());

describe('GET /api/hardware', () => {
  it('gives the CPU from lscpu with the kernel’s CPU count', () => {
    expect(hw.cpu).toMatchObject({
      model_name: 'Intel(R) Xeon(R) Gold 6230R CPU @ 2.10GHz',
      vendor: 'GenuineIntel',
      architecture: 'x86_64',
      sockets: 2,
      cores_per_socket: 26,
      threads_per_core: 2,
      numa_nodes: 2,
      max_hertz: 4e9,
      virtualization: 'VT-x',
      hypervisor: null,
      caches: { l2_bytes: 52 * 1024 ** 2 },
    });
    // From /proc/stat of the machine the test runs on, not from the recorded lscpu.
    expect(hw.cpu.count).toBeGreaterThan(0);
    expect(hw.cpu.flags).toContain('avx512f');
  });

  it('gives system, board, BIOS and memory modules from dmidecode', () => {
    expect(hw.system).toEqual({
      manufacturer: 'Supermicro',
      product_name: 'SYS-6029P-TRT',
      version: null,
      serial: 'S291751X0A12345',
      uuid: '00000000-0000-0000-0000-ac1f6b7a1234',
      sku: null,
      family: null,
    });
    expect(hw.board).toEqual({
      manufacturer: 'Supermicro',
      product_name: 'X11DPi-NT',
      version: '1.21',
      serial: 'ZM19AS012345',
    });
    expect(hw.bios).toMatchObject({
      vendor: 'American Megatrends Inc.',
      version: '3.4',
      release_date: '11/19/2020',
    });
    expect(hw.memory).toMatchObject({
      installed_bytes: 64 * 1024 ** 3,
      slots: 4,
      slots_used: 2,
      error_correction: 'Single-bit ECC',
      max_capacity_bytes: 2 * 1024 ** 4,
    });
    expect(hw.memory?.modules.map((m) => [m.locator, m.installed, m.size_bytes, m.part_number])).toEqual([
      ['P1-DIMMA1', true, 32 * 1024 ** 3, 'M393A4K40DB2-CVF'],
      ['P1-DIMMA2', false, null, null],
      ['P1-DIMMB1', true, 32 * 1024 ** 3, 'M393A4K40DB2-CVF'],
      ['P1-DIMMB2', false, null, null],
    ]);
    expect(hw.memory?.modules[0]).toMatchObject({
      type: 'DDR4',
      speed_transfers_per_second: 2.933e9,
      configured_speed_transfers_per_second: 2.666e9,
      rank: 2,
    });
    expect(hw.inventory_missing).toEqual({ lscpu: null, lspci: null, dmidecode: null });
  });

  it('gives PCI devices, the GPU from nvidia-smi and the BMC sensors', () => {
    expect(hw.pci_devices).toEqual([
      expect.objectContaining({
        slot: '0000:00:06.0',
        class: '3D controller',
        vendor_id: '10de',
        device: 'GH100 [H100 SXM5 80GB]',
        device_id: '2330',
        subsystem_device: null,
        driver: 'nvidia',
        modules: ['nvidia'],
      }),
    ]);
    expect(hw.gpus).toEqual([
      expect.objectContaining({
        id: H100,
        vendor: 'nvidia',
        index: 0,
        name: 'NVIDIA H100 80GB HBM3',
        pci_bus: '0000:00:06.0',
        fan_ratio: null,
      }),
    ]);
    expect(hw.gpus[0]?.temperature_celsius).toEqual(expect.any(Number));
    expect(hw.gpus[0]?.memory_total_bytes).toBeGreaterThan(80e9);
    const cpu2 = hw.ipmi?.sensors.find((x) => x.sensor === 'CPU2 Temp');
    expect(cpu2).toMatchObject({ kind: 'temperature', value: 33, status: 'nr', severity: 3 });
    expect(cpu2?.thresholds).toMatchObject({ upper_critical: 30, lower_non_recoverable: 10 });
    expect(hw.ipmi?.sensors.find((x) => x.sensor === 'PS1 Status')).toMatchObject({
      value: null,
      status: null,
    });
    expect(Object.keys(hw.sources).sort()).toEqual(
      ['cpu', 'hwmon', 'intelgpu', 'inventory', 'ipmi', 'nvidia', 'sensors', 'ups'].sort(),
    );
  });
});

describe('GET /api/hardware/gpu/:id', () => {
  const gpu = (id: string) => s.call('GET', `/api/hardware/gpu/${encodeURIComponent(id)}`, { token });

  it('finds the GPU by UUID, PCI slot in any form, or index, with its lspci record', async () => {
    const byUuid = await gpu(H100);
    expect(byUuid.status).toBe(200);
    const detail = gpuDetailResponse.parse(byUuid.body);
    expect(detail.gpu).toMatchObject({ id: H100, name: 'NVIDIA H100 80GB HBM3' });
    expect(detail.gpu.remapped_rows).toEqual(expect.objectContaining({ pending: expect.any(Boolean) }));
    expect(detail.pci_device).toMatchObject({ slot: '0000:00:06.0', driver: 'nvidia' });
    // Per-process series are opt-in (gpu.processes), so there is no process list.
    expect(detail.processes).toBeNull();
    for (const id of [H100.toUpperCase(), '0000:00:06.0', '00000000:00:06.0', '00:06.0', '0'])
      expect((await gpu(id)).body, id).toEqual(byUuid.body);
  });

  it('is 404 for a GPU that is not there', async () => {
    for (const id of ['GPU-00000000-0000-0000-0000-000000000000', '0000:01:00.0', '3'])
      expect(await gpu(id), id).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });
});
