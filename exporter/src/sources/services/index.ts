import { join } from 'node:path';
import { fail, type Source, type SourceContext } from '../source.js';
import { parseSystemctlShow, type ServicesSnapshot } from './parse.js';

export { unitId, type ServiceState, type ServicesSnapshot } from './parse.js';

export const SERVICES_SOURCE = 'services';
/** The daemons every PVE node runs; corosync joins them when the node is clustered. */
export const PVE_SERVICES = ['pveproxy', 'pvedaemon', 'pvestatd', 'pve-cluster'] as const;
/** A systemd unit name (letters, digits, `:-_.@\`); also what the config should accept. */
export const UNIT_NAME = /^[A-Za-z0-9:_.@\\][A-Za-z0-9:_.@\\-]*$/;
const TIMEOUT_SECONDS = 10;
const PROPERTIES = '--property=Id,LoadState,ActiveState,SubState';

export interface ServicesSourceOptions {
  /** Extra units to report besides the PVE ones (`units:` in config). */
  units?: readonly string[];
}

/**
 * PVE daemons through ONE `systemctl show` call for all units (not one `is-active` per unit).
 * Quiet `absent` when systemd is not PID 1 (containers, our test machine: exit 1 and "System has not
 * been booted with systemd") or when none of the units exists (not a PVE node).
 */
export function createServicesSource(options: ServicesSourceOptions = {}): Source<ServicesSnapshot> {
  const extra = options.units ?? [];
  for (const unit of extra) {
    if (!UNIT_NAME.test(unit)) throw new Error(`services: invalid unit name ${JSON.stringify(unit)}`);
  }
  return {
    name: SERVICES_SOURCE,
    intervalSeconds: 30,
    timeoutSeconds: TIMEOUT_SECONDS,
    async collect(ctx) {
      const units = [
        ...new Set([...PVE_SERVICES, ...((await corosyncConfigured(ctx)) ? ['corosync'] : []), ...extra]),
      ];
      // `--` so no unit name can be read as an option.
      const run = await ctx.exec('systemctl', ['show', PROPERTIES, '--', ...units], {
        timeoutMs: TIMEOUT_SECONDS * 1000,
        signal: ctx.signal,
      });
      if (!run.ok) return run;
      const { stdout, stderr, exitCode } = run.value;
      if (exitCode === 127) return fail('absent', 'systemctl: not installed (exit 127)');
      if (exitCode !== 0 && stdout.trim() === '') {
        const reason = firstLine(stderr);
        if (/not been booted with systemd/i.test(stderr)) return fail('absent', `systemctl: ${reason}`);
        return fail('exit', `systemctl show exited ${exitCode}${reason ? `: ${reason}` : ''}`);
      }
      const parsed = parseSystemctlShow(stdout, units);
      if (!parsed.ok) return parsed;
      if (!parsed.value.services.some((s) => s.loaded))
        return fail('absent', `systemctl: none of ${units.join(', ')} is installed`);
      return parsed;
    },
  };
}

/** Clustered when corosync.conf exists; an unreadable one (not `absent`) still exists. */
async function corosyncConfigured(ctx: SourceContext): Promise<boolean> {
  const conf = await ctx.readText(join(ctx.paths.rootfs, 'etc/corosync/corosync.conf'));
  return conf.ok || conf.error.kind !== 'absent';
}

const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';
