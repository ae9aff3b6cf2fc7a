import { join } from 'node:path';
import { ok, type Result, type Source, type SourceContext } from '../source.js';
import { osPrettyName, parseOsRelease, parsePveVersion, parseUptime } from './parse.js';

export { parsePveVersion, type PveVersion } from './parse.js';

export const HOSTINFO_SOURCE = 'hostinfo';

export interface HostInfo {
  hostname: string;
  kernel: string;
  /** os-release PRETTY_NAME; "" when no os-release file is found. */
  os: string;
  /** pve-manager version, e.g. "8.2.4"; "" off Proxmox (no `pveversion`) or when it fails. */
  pveVersion: string;
  uptimeSeconds: number;
}

/** Identity of the host: names and versions that change rarely, plus the uptime. */
export function createHostInfoSource(): Source<HostInfo> {
  return {
    name: HOSTINFO_SOURCE,
    intervalSeconds: 300,
    timeoutSeconds: 10,
    async collect(ctx) {
      const proc = (...parts: string[]) => ctx.readText(join(ctx.paths.procfs, ...parts));
      const [hostname, kernel, uptime, os, pveVersion] = await Promise.all([
        proc('sys', 'kernel', 'hostname'),
        proc('sys', 'kernel', 'osrelease'),
        proc('uptime'),
        readOsName(ctx),
        readPveVersion(ctx),
      ]);
      if (!hostname.ok) return hostname;
      if (!kernel.ok) return kernel;
      if (!uptime.ok) return uptime;
      const uptimeSeconds = parseUptime(uptime.value);
      if (!uptimeSeconds.ok) return uptimeSeconds;
      return ok({
        hostname: hostname.value.trim(),
        kernel: kernel.value.trim(),
        os,
        pveVersion,
        uptimeSeconds: uptimeSeconds.value,
      });
    },
  };
}

/** /etc/os-release, else /usr/lib/os-release (the spec's fallback), under rootfs. */
async function readOsName(ctx: SourceContext): Promise<string> {
  let text: Result<string> = await ctx.readText(join(ctx.paths.rootfs, 'etc', 'os-release'));
  if (!text.ok) text = await ctx.readText(join(ctx.paths.rootfs, 'usr', 'lib', 'os-release'));
  return text.ok ? osPrettyName(parseOsRelease(text.value)) : '';
}

// Off Proxmox there is no pveversion; that is normal and must not fail the host's identity.
async function readPveVersion(ctx: SourceContext): Promise<string> {
  const run = await ctx.exec('pveversion', [], { timeoutMs: 8000, signal: ctx.signal });
  if (!run.ok) {
    if (run.error.kind !== 'absent') ctx.logger.debug({ err: run.error }, 'pveversion failed');
    return '';
  }
  const parsed = parsePveVersion(run.value.stdout);
  if (!parsed.ok)
    ctx.logger.debug({ err: parsed.error, exitCode: run.value.exitCode }, 'pveversion unreadable');
  return parsed.ok ? parsed.value.version : '';
}
