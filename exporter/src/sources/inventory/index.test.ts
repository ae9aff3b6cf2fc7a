import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceContext } from '../../test-support/source-context.js';
import { createExec } from '../exec.js';
import { createInventorySource } from './index.js';

/** tests/fake-bin stand-ins, run through the real createExec (spawn, timeout, process-group kill). */
const fakeBin = (name: string) =>
  fileURLToPath(new URL(`../../../../tests/fake-bin/${name}`, import.meta.url));

const tools = (paths: Record<string, string>, signal?: AbortSignal) =>
  sourceContext({ exec: createExec(paths), ...(signal && { signal }) });

const RECORDED = {
  lscpu: fakeBin('lscpu-recorded'),
  lspci: fakeBin('lspci-recorded'),
  dmidecode: fakeBin('dmidecode-recorded'),
};

describe('inventory source through stand-in executables', () => {
  it('reads all three tools', async () => {
    const source = createInventorySource();
    expect([source.name, source.intervalSeconds, source.timeoutSeconds]).toEqual(['inventory', 21600, 30]);
    const r = await source.collect(tools(RECORDED));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.missing).toEqual({});
    expect(r.value.cpu).toMatchObject({ modelName: 'Intel(R) Xeon(R) Gold 6230R CPU @ 2.10GHz', cpus: 104 });
    expect(r.value.pci?.map((d) => [d.slot, d.driver])).toEqual([
      ['0000:00:00.0', undefined],
      ['0000:00:17.0', 'ahci'],
      ['0000:3b:00.0', 'nvme'],
      ['0000:5e:00.0', 'i40e'],
      ['0000:af:00.0', 'vfio-pci'],
      ['0000:af:00.1', 'vfio-pci'],
    ]);
    expect(r.value.dmi?.baseboard?.productName).toBe('X11DPi-NT');
    expect(r.value.dmi?.memory.filter((m) => m.installed)).toHaveLength(2);
  });

  it('keeps the parts that worked and says why the others are null', async () => {
    const r = await createInventorySource().collect(
      tools({
        ...RECORDED,
        lspci: fakeBin('lspci-garbage'),
        dmidecode: fakeBin('dmidecode-no-dmi'),
      }),
    );
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.cpu?.sockets).toBe(2);
    expect(r.value.pci).toBeNull();
    expect(r.value.dmi).toBeNull();
    expect(r.value.missing).toEqual({
      lspci:
        'lspci -vmm -D -nn -k exited 1: lspci: Unable to read the standard configuration space header of device 0000:00:00.0',
      dmidecode: 'dmidecode: no SMBIOS tables (/dev/mem: No such file or directory)',
    });
  });

  it('is absent when none of the tools is there, and an error when they all fail otherwise', async () => {
    const none = await createInventorySource().collect(sourceContext());
    expect(none).toEqual({
      ok: false,
      error: {
        kind: 'absent',
        message:
          'lscpu: no tools in this test; lspci: no tools in this test; dmidecode: no tools in this test',
      },
    });
    const missing = '/nonexistent/tool';
    const broken = await createInventorySource().collect(
      tools({ lscpu: missing, lspci: fakeBin('lspci-garbage'), dmidecode: fakeBin('dmidecode-no-dmi') }),
    );
    expect(broken).toMatchObject({ ok: false, error: { kind: 'exit' } });
  });

  it('gives up on hung tools at the deadline', async () => {
    const hang = fakeBin('hang');
    const t0 = performance.now();
    const r = await createInventorySource().collect(
      tools({ lscpu: hang, lspci: hang, dmidecode: hang }, AbortSignal.timeout(300)),
    );
    expect(r).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
