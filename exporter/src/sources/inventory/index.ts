import { fail, ok, type Result, type Source, type SourceContext } from '../source.js';
import { parseDmidecode, parseLscpuJson, parseLspciVmm } from './parse.js';
import type { InventoryPart, InventorySnapshot } from './types.js';

export type * from './types.js';
export { parseDmidecode, parseLscpuJson, parseLspciVmm } from './parse.js';

export const INVENTORY_SOURCE = 'inventory';
const TIMEOUT_SECONDS = 30;
/** The three tools run side by side, each with its own deadline inside the source's. */
const TOOL_TIMEOUT_MS = 20_000;

interface Part<T> {
  part: InventoryPart;
  args: string[];
  parse: (stdout: string) => Result<T>;
  /** Output of a failed run that means "nothing to read on this machine" rather than a failure. */
  nothingHere?: { pattern: RegExp; what: string };
}

const LSCPU: Part<NonNullable<InventorySnapshot['cpu']>> = {
  part: 'lscpu',
  args: ['-J'],
  parse: parseLscpuJson,
};
const LSPCI: Part<NonNullable<InventorySnapshot['pci']>> = {
  part: 'lspci',
  // -D: slots with their domain, like sysfs and nvidia-smi; -nn: vendor and device ids; -k: driver.
  args: ['-vmm', '-D', '-nn', '-k'],
  parse: parseLspciVmm,
  nothingHere: { pattern: /cannot find any working access method/i, what: 'no PCI bus' },
};
const DMIDECODE: Part<NonNullable<InventorySnapshot['dmi']>> = {
  part: 'dmidecode',
  // 0 BIOS, 1 system, 2 base board, 16 memory array, 17 memory device.
  args: ['-t', '0,1,2,16,17'],
  parse: parseDmidecode,
  nothingHere: {
    pattern: /\/dev\/mem: no such file|no SMBIOS nor DMI entry point/i,
    what: 'no SMBIOS tables',
  },
};

/**
 * What the host is made of: CPU (`lscpu -J`), PCI devices (`lspci -vmm`) and board, BIOS and memory
 * modules (`dmidecode`, which needs root and SMBIOS tables). It changes only with a reboot, so it is
 * read every 6 hours. Each tool is optional: a missing or failing one leaves its part null with the
 * reason; the source fails only when no part could be read (quietly, `absent`, when none is there).
 */
export function createInventorySource(): Source<InventorySnapshot> {
  return {
    name: INVENTORY_SOURCE,
    intervalSeconds: 6 * 3600,
    timeoutSeconds: TIMEOUT_SECONDS,
    async collect(ctx) {
      const [cpu, pci, dmi] = await Promise.all([
        runPart(ctx, LSCPU),
        runPart(ctx, LSPCI),
        runPart(ctx, DMIDECODE),
      ]);
      const failed = [cpu, pci, dmi].flatMap((r) => (r.ok ? [] : [r.error]));
      if (failed.length === 3) {
        // Absent only when every tool is simply not there; any real failure is reported as one.
        const kind = failed.find((e) => e.kind !== 'absent')?.kind ?? 'absent';
        return fail(kind, failed.map((e) => e.message).join('; '));
      }
      const missing: InventorySnapshot['missing'] = {};
      const reason = (part: InventoryPart, r: Result<unknown>) => {
        if (!r.ok) missing[part] = r.error.message;
      };
      reason('lscpu', cpu);
      reason('lspci', pci);
      reason('dmidecode', dmi);
      return ok({
        cpu: cpu.ok ? cpu.value : null,
        pci: pci.ok ? pci.value : null,
        dmi: dmi.ok ? dmi.value : null,
        missing,
      });
    },
  };
}

async function runPart<T>(ctx: SourceContext, part: Part<T>): Promise<Result<T>> {
  const run = await ctx.exec(part.part, part.args, { timeoutMs: TOOL_TIMEOUT_MS, signal: ctx.signal });
  if (!run.ok) return run;
  const { stdout, stderr, exitCode } = run.value;
  if (exitCode === 127) return fail('absent', `${part.part}: not installed (exit 127)`);
  const parsed = part.parse(stdout);
  if (exitCode === 0) return parsed;
  const here = part.nothingHere;
  if (here?.pattern.test(`${stderr}\n${stdout}`))
    return fail('absent', `${part.part}: ${here.what} (${firstLine(stderr) || firstLine(stdout)})`);
  // A tool that complained but still printed real data (dmidecode warning about one table) is kept.
  if (parsed.ok) return parsed;
  const why = firstLine(stderr);
  return fail('exit', `${part.part} ${part.args.join(' ')} exited ${exitCode}${why ? `: ${why}` : ''}`);
}

const firstLine = (text: string) => text.trim().split('\n')[0]?.trim() ?? '';
