import { fail, type Source } from '../source.js';
import { parseAptSimulation, type AptSnapshot } from './parse.js';

export { isSecurityOrigin, type AptSnapshot, type AptUpgrade } from './parse.js';

export const APT_SOURCE = 'apt';
const TIMEOUT_SECONDS = 120;

/**
 * `-s` simulates and never installs. apt-get(8) says a simulation disables locking, but apt only sets
 * Debug::NoLocking itself for non-root users (apt-private CheckSimulateMode checks getuid() != 0);
 * as root `-s` still takes the dpkg/apt locks and fails with "Could not get lock" while
 * unattended-upgrades or a GUI upgrade holds them (puppetlabs-apt#640). Setting it explicitly means we
 * never wait on, or block, a real upgrade. No `apt-get update`: this reads the lists the node already
 * has (PVE's pveupdate refreshes them daily). Output language: Exec runs tools with LC_ALL=C, and the
 * Inst lines are untranslated anyway (apt prints them without gettext; origins come from Release files).
 */
export const APT_ARGS = ['-s', '-o', 'Debug::NoLocking=1', 'dist-upgrade'] as const;

/** Pending upgrades, all and security, once a day: `apt-get -s dist-upgrade` reads every package list. */
export function createAptSource(): Source<AptSnapshot> {
  return {
    name: APT_SOURCE,
    intervalSeconds: 86_400,
    timeoutSeconds: TIMEOUT_SECONDS,
    async collect(ctx) {
      const run = await ctx.exec('apt-get', APT_ARGS, {
        timeoutMs: TIMEOUT_SECONDS * 1000,
        signal: ctx.signal,
      });
      if (!run.ok) return run;
      const { stdout, stderr, exitCode } = run.value;
      if (exitCode === 127) return fail('absent', 'apt-get: not installed (exit 127)');
      if (exitCode !== 0) {
        // Warnings (W:) may come first; the E: line says why it failed.
        const lines = stderr.trim().split('\n');
        const reason = (lines.find((l) => l.startsWith('E:')) ?? lines[0] ?? '').trim();
        return fail('exit', `apt-get -s dist-upgrade exited ${exitCode}${reason ? `: ${reason}` : ''}`);
      }
      return parseAptSimulation(stdout);
    },
  };
}
