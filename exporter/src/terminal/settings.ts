import { z } from 'zod';

/**
 * The `terminal:` config section. Defaults lean safe: same-origin only, two sessions per user, and
 * an idle shell is closed after 15 minutes.
 */
export const terminalConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** argv of the shell; it runs as the exporter's user, in that user's home directory. */
  shell: z.array(z.string().min(1)).min(1).default(['bash', '-l']),
  max_sessions_per_user: z.number().int().min(1).default(2),
  max_sessions: z.number().int().min(1).default(8),
  /** No keystroke or resize for this long closes the session (pings do not count). */
  idle_timeout_seconds: z.number().positive().default(900),
  max_session_seconds: z.number().positive().default(28_800),
  /** Output beyond this pauses the shell (never drops bytes), so `cat /dev/urandom` cannot flood a link. */
  output_rate_bytes_per_second: z
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** Browser origins allowed besides the exporter's own; empty means same-origin only. */
  allowed_origins: z.array(z.url()).default([]),
  /** `{"type":"attach","vmid":N}` opens `pct enter N` instead of a host shell. */
  lxc_console: z.boolean().default(true),
});

export type TerminalSettings = z.output<typeof terminalConfigSchema>;

export const defaultTerminalSettings = (overrides: z.input<typeof terminalConfigSchema> = {}) =>
  terminalConfigSchema.parse(overrides);
