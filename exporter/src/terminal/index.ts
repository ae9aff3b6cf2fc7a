import type { Logger } from 'pino';
import type { AuditLog } from '../auth/audit.js';
import type { Users } from '../auth/users.js';
import { SessionManager } from './manager.js';
import type { PtySpawner } from './pty.js';
import type { TerminalSettings } from './settings.js';
import { TicketStore } from './tickets.js';

export interface TerminalServiceDeps {
  settings: TerminalSettings;
  audit: Pick<AuditLog, 'record'>;
  users: Pick<Users, 'byId'>;
  logger?: Logger;
  /** `config.tools.pct`; `pct` from PATH otherwise. */
  pctPath?: string;
  spawner?: PtySpawner;
  now?: () => number;
  /** How long a shell gets to leave after SIGHUP before SIGKILL (default 2 s). */
  killGraceMs?: number;
  /** With no first frame for this long the host shell starts (default 1 s); an attach must come first. */
  startDelayMs?: number;
  procfs?: string;
}

export interface TerminalService {
  settings: TerminalSettings;
  tickets: TicketStore;
  sessions: SessionManager;
  users: Pick<Users, 'byId'>;
  logger?: Logger;
}

/** Tickets and sessions, built once in main.ts and shared by the HTTP routes and the WebSocket. */
export function createTerminalService(d: TerminalServiceDeps): TerminalService {
  const now = d.now ?? Date.now;
  const logger = d.logger?.child({ module: 'terminal' });
  return {
    settings: d.settings,
    users: d.users,
    logger,
    tickets: new TicketStore({ now }),
    sessions: new SessionManager({
      settings: d.settings,
      audit: d.audit,
      logger,
      spawner: d.spawner,
      pctPath: d.pctPath ?? 'pct',
      now,
      startDelayMs: d.startDelayMs ?? 1000,
      killGraceMs: d.killGraceMs ?? 2000,
      procfs: d.procfs,
    }),
  };
}
