import { fail, type Source } from '../source.js';
import type { SensorChipsSnapshot } from '../hwmon/types.js';
import { parseSensorsJson } from './parse.js';

const TIMEOUT_SECONDS = 5;

/**
 * lm-sensors' `sensors -j`. Not installed, or installed on a machine with no sensors ("No sensors
 * found!", exit 1, `{}` on stdout) are both `absent`: quiet, and the metrics fall back to hwmon.
 */
export function createSensorsSource(): Source<SensorChipsSnapshot> {
  return {
    name: 'sensors',
    intervalSeconds: 10,
    timeoutSeconds: TIMEOUT_SECONDS,
    async collect(ctx) {
      const run = await ctx.exec('sensors', ['-j'], {
        timeoutMs: TIMEOUT_SECONDS * 1000,
        signal: ctx.signal,
      });
      if (!run.ok) return run;
      const { stdout, stderr, exitCode } = run.value;
      // 127: a wrapper script or shell that could not find the real binary.
      if (exitCode === 127) return fail('absent', 'sensors: not installed (exit 127)');
      if (exitCode === 0) return parseSensorsJson(stdout);
      if (/no sensors found/i.test(stderr)) return fail('absent', 'sensors: no sensors found');
      // Any other failure: keep what it printed if that is real data, else report the exit.
      const parsed = parseSensorsJson(stdout);
      if (parsed.ok && parsed.value.chips.length > 0) return parsed;
      const reason = stderr.trim().split('\n')[0] ?? '';
      return fail('exit', `sensors -j exited ${exitCode}${reason ? `: ${reason}` : ''}`);
    },
  };
}
