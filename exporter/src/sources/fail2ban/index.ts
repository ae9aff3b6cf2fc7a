import { parseJailStatus, type JailStatus } from '../../auth/fail2ban.js';
import { fail, type Source } from '../source.js';

export const FAIL2BAN_SOURCE = 'fail2ban';

export interface Fail2banSourceOptions {
  /** The jail proxmon's auth log feeds; empty turns the source into a quiet `absent`. */
  jail: string;
  socket?: string;
}

/** `fail2ban-client status <jail>` every 30 s, for `proxmon_auth_banned_ips` and the source's own health. */
export function createFail2banSource({ jail, socket }: Fail2banSourceOptions): Source<JailStatus> {
  return {
    name: FAIL2BAN_SOURCE,
    intervalSeconds: 30,
    timeoutSeconds: 10,
    async collect(ctx) {
      if (!jail) return fail('absent', 'fail2ban: no jail configured');
      const args = [...(socket ? ['-s', socket] : []), 'status', jail];
      const r = await ctx.exec('fail2ban-client', args, { timeoutMs: 8000, signal: ctx.signal });
      if (!r.ok) return r;
      if (r.value.exitCode !== 0) {
        const reason = (r.value.stderr || r.value.stdout).trim().split('\n')[0] ?? '';
        // No server running is fail2ban not being in use here, not a failure to alert on.
        if (/Failed to access socket|Is fail2ban running/i.test(reason))
          return fail('absent', `fail2ban: ${reason}`);
        return fail('exit', `fail2ban-client exited ${r.value.exitCode}: ${reason}`);
      }
      return parseJailStatus(r.value.stdout);
    },
  };
}
