import { fail, type Source } from '../source.js';
import { parseIpmitoolSensor, type IpmiSnapshot } from './parse.js';

export {
  IPMI_SEVERITY,
  type IpmiKind,
  type IpmiSensor,
  type IpmiSnapshot,
  type IpmiStatus,
  type IpmiThresholds,
} from './parse.js';

export const IPMI_SOURCE = 'ipmi';
const TIMEOUT_SECONDS = 20;

/**
 * BMC sensors through `ipmitool sensor` on the local IPMI device. Slow (it reads every SDR and its
 * thresholds over KCS), hence the long deadline and the 60 s cadence. Not installed, or no BMC
 * ("Could not open device at /dev/ipmi0 ...: No such file or directory") are `absent`.
 */
export function createIpmiSource(): Source<IpmiSnapshot> {
  return {
    name: IPMI_SOURCE,
    intervalSeconds: 60,
    timeoutSeconds: TIMEOUT_SECONDS,
    async collect(ctx) {
      const run = await ctx.exec('ipmitool', ['sensor'], {
        timeoutMs: TIMEOUT_SECONDS * 1000,
        signal: ctx.signal,
      });
      if (!run.ok) return run;
      const { stdout, stderr, exitCode } = run.value;
      if (exitCode === 127) return fail('absent', 'ipmitool: not installed (exit 127)');
      if (exitCode === 0) return parseIpmitoolSensor(stdout);
      if (/could not open device.*no such file or directory/i.test(stderr))
        return fail('absent', `ipmitool: no BMC (${firstLine(stderr)})`);
      // A BMC that stopped answering half-way: keep the sensors that were printed.
      const parsed = parseIpmitoolSensor(stdout);
      if (parsed.ok && parsed.value.sensors.length > 0) return parsed;
      const reason = firstLine(stderr);
      return fail('exit', `ipmitool sensor exited ${exitCode}${reason ? `: ${reason}` : ''}`);
    },
  };
}

const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';
