import { describe, expect, it } from 'vitest';
import { TICKET_TTL_SECONDS, TicketStore } from './tickets.js';

describe('TicketStore', () => {
  it('issues 30 s tickets that redeem once, for the same user and address', () => {
    const store = new TicketStore();
    const issued = store.issue(7, '192.0.2.1')!;
    expect(issued.expires_in).toBe(TICKET_TTL_SECONDS);
    expect(issued.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.redeem(issued.ticket, '192.0.2.1')).toEqual({ ok: true, userId: 7 });
    expect(store.redeem(issued.ticket, '192.0.2.1')).toEqual({ ok: false, reason: 'unknown' });
  });

  it('refuses an expired ticket', () => {
    let now = 1_000_000;
    const store = new TicketStore({ now: () => now });
    const { ticket } = store.issue(1, '::1')!;
    now += 30_000;
    expect(store.redeem(ticket, '::1')).toEqual({ ok: false, reason: 'expired' });
  });

  it('uses up a ticket presented from another address', () => {
    const store = new TicketStore();
    const { ticket } = store.issue(1, '192.0.2.1')!;
    expect(store.redeem(ticket, '192.0.2.2')).toEqual({ ok: false, reason: 'wrong_ip' });
    expect(store.redeem(ticket, '192.0.2.1')).toEqual({ ok: false, reason: 'unknown' });
  });

  it('keeps no more than its cap outstanding, and forgets expired ones', () => {
    let now = 0;
    const store = new TicketStore({ max: 3, now: () => now });
    for (let i = 0; i < 3; i++) expect(store.issue(1, 'a')).toBeDefined();
    expect(store.issue(1, 'a')).toBeUndefined();
    now += 30_001;
    expect(store.size).toBe(0);
    expect(store.issue(1, 'a')).toBeDefined();
  });

  it('does not recognise a made-up ticket', () => {
    const store = new TicketStore();
    store.issue(1, 'a');
    expect(store.redeem('', 'a').ok).toBe(false);
    expect(store.redeem('x'.repeat(43), 'a').ok).toBe(false);
  });
});
