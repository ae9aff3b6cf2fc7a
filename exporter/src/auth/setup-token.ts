import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SETUP_TOKEN_FILE = 'setup-token';

export interface SetupToken {
  /** The token, when one was created now (to print once); undefined when it already existed or is not needed. */
  readonly created: string | undefined;
  matches(candidate: string): boolean;
  consume(): void;
}

/**
 * The one-time token that lets the first admin be created over HTTP without opening the API: written
 * 0600 to the data dir (only root on the host can read it) and removed once used.
 */
export function prepareSetupToken(dataDir: string, needed: boolean): SetupToken {
  const file = join(dataDir, SETUP_TOKEN_FILE);
  let token: string | undefined;
  let created: string | undefined;
  if (needed) {
    if (existsSync(file)) token = readFileSync(file, 'utf8').trim();
    else {
      token = created = randomBytes(24).toString('base64url');
      writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    }
  } else rmSync(file, { force: true });
  return {
    created,
    matches(candidate) {
      if (!token) return false;
      const a = Buffer.from(candidate);
      const b = Buffer.from(token);
      return a.length === b.length && timingSafeEqual(a, b);
    },
    consume() {
      token = undefined;
      rmSync(file, { force: true });
    },
  };
}
