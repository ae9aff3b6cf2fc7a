import { createHash, randomBytes } from 'node:crypto';

export const TICKET_TTL_SECONDS = 30;
/** Outstanding tickets at most; a client minting more than this in 30 s is refused, not remembered. */
const MAX_OUTSTANDING = 256;

export interface IssuedTicket {
  ticket: string;
  expires_in: number;
}

export type Redemption =
  { ok: true; userId: number } | { ok: false; reason: 'unknown' | 'expired' | 'wrong_ip' };

interface Entry {
  userId: number;
  ip: string;
  expiresAt: number;
}

const hash = (ticket: string) => createHash('sha256').update(ticket).digest('hex');

/**
 * One-time WebSocket tickets, in memory only (a restart invalidates them, which is fine for 30 s).
 * Each is bound to the user and the client IP it was issued to, and any attempt to redeem it uses it
 * up, so a ticket that leaked into a log or a wrong hand is worth nothing afterwards.
 */
export class TicketStore {
  /** Keyed by hash: a heap dump holds no usable ticket. Insertion order is expiry order. */
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(opts: { ttlSeconds?: number; max?: number; now?: () => number } = {}) {
    this.ttlMs = (opts.ttlSeconds ?? TICKET_TTL_SECONDS) * 1000;
    this.max = opts.max ?? MAX_OUTSTANDING;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    this.prune();
    return this.entries.size;
  }

  /** undefined when too many tickets are outstanding. */
  issue(userId: number, ip: string): IssuedTicket | undefined {
    this.prune();
    if (this.entries.size >= this.max) return undefined;
    const ticket = randomBytes(32).toString('base64url');
    this.entries.set(hash(ticket), { userId, ip, expiresAt: this.now() + this.ttlMs });
    return { ticket, expires_in: this.ttlMs / 1000 };
  }

  redeem(ticket: string, ip: string): Redemption {
    const key = hash(ticket);
    const entry = this.entries.get(key);
    if (!entry) return { ok: false, reason: 'unknown' };
    this.entries.delete(key);
    if (this.now() >= entry.expiresAt) return { ok: false, reason: 'expired' };
    if (entry.ip !== ip) return { ok: false, reason: 'wrong_ip' };
    return { ok: true, userId: entry.userId };
  }

  private prune(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(key);
    }
  }
}
