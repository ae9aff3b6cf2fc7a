import type { WebSocket } from 'ws';
import { TerminalSession, type SessionContext, type SessionOwner, type SessionView } from './session.js';

export type SessionRefusal = 'user_limit' | 'global_limit';

export const refusalMessage = (r: SessionRefusal, ctx: Pick<SessionContext, 'settings'>): string =>
  r === 'user_limit'
    ? `you already have ${ctx.settings.max_sessions_per_user} terminal sessions open`
    : `the exporter already has ${ctx.settings.max_sessions} terminal sessions open`;

/**
 * The live sessions: the caps are checked against it, admins list and end sessions through it, and
 * shutdown closes them all. A session leaves it only once its processes are gone.
 */
export class SessionManager {
  private readonly live = new Map<string, TerminalSession>();

  constructor(readonly ctx: SessionContext) {}

  get size(): number {
    return this.live.size;
  }

  /** Why `userId` may not open one more session now; undefined when it may. */
  refusal(userId: number): SessionRefusal | undefined {
    const s = this.ctx.settings;
    if (this.live.size >= s.max_sessions) return 'global_limit';
    let mine = 0;
    for (const session of this.live.values()) if (session.owner.userId === userId) mine++;
    return mine >= s.max_sessions_per_user ? 'user_limit' : undefined;
  }

  /** A session on `ws`, or the refusal when a cap is reached (the caller tells the client). */
  open(ws: WebSocket, owner: SessionOwner): TerminalSession | SessionRefusal {
    const refused = this.refusal(owner.userId);
    if (refused) return refused;
    const session = new TerminalSession(ws, owner, this.ctx);
    this.live.set(session.id, session);
    void session.ended.then(() => this.live.delete(session.id));
    return session;
  }

  get(id: string): TerminalSession | undefined {
    return this.live.get(id);
  }

  list(): SessionView[] {
    return [...this.live.values()].map((s) => s.view());
  }

  /** Ends a session as an administrator asked; false when there is no such session. */
  async kill(id: string): Promise<boolean> {
    const session = this.live.get(id);
    if (!session) return false;
    await session.end('killed');
    return true;
  }

  /** At shutdown: every session closed and its processes gone. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.live.values()].map((s) => s.end('shutdown')));
  }
}
