import { createHash, randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { Db } from '../store/db.js';
import { roleScopes, SCOPES, type Principal, type Scope } from './scopes.js';
import type { Users } from './users.js';

const ISSUER = 'proxmon';
const AUDIENCE = 'proxmon-api';
/** API tokens are recognisable (secret scanners, logs) and never confused with a JWT. */
const API_TOKEN_PREFIX = 'pxm_';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const randomToken = () => randomBytes(32).toString('base64url');

export interface IssuedTokens {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface SessionDeps {
  db: Db;
  users: Users;
  /** 32 random bytes kept encrypted in the store: per install, so tokens never cross installs. */
  signingKey: Uint8Array;
  accessTtlSeconds: number;
  refreshTtlDays: number;
  now?: () => number;
}

/**
 * Short-lived JWT access tokens (HS256, iss/aud/exp checked) and long-lived refresh tokens stored only
 * as hashes. Refresh rotates; presenting an already rotated or revoked refresh token revokes all of the
 * user's sessions, because it means the token was copied.
 */
export class Sessions {
  private readonly now: () => number;
  constructor(private readonly deps: SessionDeps) {
    this.now = deps.now ?? Date.now;
  }

  async issue(userId: number): Promise<IssuedTokens> {
    const user = this.deps.users.byId(userId);
    if (!user) throw new Error(`no user ${userId}`);
    const now = this.now();
    const refresh = randomToken();
    this.deps.db
      .prepare('INSERT INTO refresh_tokens (user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(userId, sha256(refresh), now, now + this.deps.refreshTtlDays * 86_400_000);
    const access = await new SignJWT({ pwv: user.passwordChangedAt })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(String(userId))
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + this.deps.accessTtlSeconds)
      .sign(this.deps.signingKey);
    return {
      access_token: access,
      refresh_token: refresh,
      token_type: 'Bearer',
      expires_in: this.deps.accessTtlSeconds,
    };
  }

  /** The caller behind a valid access token; undefined for anything else (tampered, expired, stale). */
  async verifyAccess(token: string): Promise<Principal | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.deps.signingKey, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        currentDate: new Date(this.now()),
        requiredClaims: ['exp', 'sub'],
      });
      const user = this.deps.users.byId(Number(payload.sub));
      // A password change invalidates access tokens issued before it, not only refresh tokens.
      if (!user || payload.pwv !== user.passwordChangedAt) return undefined;
      return {
        kind: 'session',
        userId: user.id,
        username: user.username,
        role: user.role,
        scopes: roleScopes(user.role),
      };
    } catch {
      return undefined;
    }
  }

  async refresh(refreshToken: string): Promise<IssuedTokens | undefined> {
    const now = this.now();
    const row = this.deps.db
      .prepare('SELECT id, user_id, expires_at, revoked_at FROM refresh_tokens WHERE token_hash = ?')
      .get(sha256(refreshToken)) as
      { id: number; user_id: number; expires_at: number; revoked_at: number | null } | undefined;
    if (!row) return undefined;
    if (row.revoked_at !== null) {
      this.revokeAll(row.user_id);
      return undefined;
    }
    if (row.expires_at <= now) return undefined;
    this.deps.db.prepare('UPDATE refresh_tokens SET revoked_at = ? WHERE id = ?').run(now, row.id);
    return this.issue(row.user_id);
  }

  /** Revokes one refresh token; returns the user it belonged to. */
  revoke(refreshToken: string): number | undefined {
    const row = this.deps.db
      .prepare('SELECT id, user_id FROM refresh_tokens WHERE token_hash = ?')
      .get(sha256(refreshToken)) as { id: number; user_id: number } | undefined;
    if (!row) return undefined;
    this.deps.db
      .prepare('UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?')
      .run(this.now(), row.id);
    return row.user_id;
  }

  revokeAll(userId: number): void {
    this.deps.db
      .prepare('UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL')
      .run(this.now(), userId);
  }
}

export interface ApiTokenRow {
  id: number;
  user_id: number;
  name: string;
  scopes: Scope[];
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

type RawTokenRow = Omit<ApiTokenRow, 'scopes'> & { scopes: string };
const toTokenRow = (r: RawTokenRow): ApiTokenRow => ({
  ...r,
  scopes: (JSON.parse(r.scopes) as string[]).filter((s): s is Scope =>
    (SCOPES as readonly string[]).includes(s),
  ),
});

/** What the API shows of a token: never the token or its hash. */
export const publicToken = (t: ApiTokenRow) => ({
  id: t.id,
  name: t.name,
  scopes: t.scopes,
  created_at: new Date(t.created_at).toISOString(),
  expires_at: t.expires_at === null ? null : new Date(t.expires_at).toISOString(),
  last_used_at: t.last_used_at === null ? null : new Date(t.last_used_at).toISOString(),
  revoked: t.revoked_at !== null,
});

/** Named, scoped, expiring API tokens, stored as hashes and shown once at creation. */
export class ApiTokens {
  constructor(
    private readonly db: Db,
    private readonly users: Users,
    private readonly now: () => number = Date.now,
  ) {}

  create(
    userId: number,
    name: string,
    scopes: readonly Scope[],
    expiresAt: number | null,
  ): { id: number; token: string } {
    const token = API_TOKEN_PREFIX + randomToken();
    const { lastInsertRowid } = this.db
      .prepare(
        'INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(userId, name, sha256(token), JSON.stringify([...new Set(scopes)]), this.now(), expiresAt);
    return { id: Number(lastInsertRowid), token };
  }

  static looksLikeApiToken = (s: string) => s.startsWith(API_TOKEN_PREFIX);

  verify(token: string): Principal | undefined {
    const raw = this.db.prepare('SELECT * FROM api_tokens WHERE token_hash = ?').get(sha256(token)) as
      RawTokenRow | undefined;
    if (!raw) return undefined;
    const t = toTokenRow(raw);
    const now = this.now();
    if (t.revoked_at !== null || (t.expires_at !== null && t.expires_at <= now)) return undefined;
    const user = this.users.byId(t.user_id);
    if (!user) return undefined;
    // Only record use once a minute: a scrape every 15 s should not be a write every 15 s.
    if (t.last_used_at === null || now - t.last_used_at > 60_000) {
      this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, t.id);
    }
    // A token never holds more than its owner's role allows now (a demoted admin's tokens shrink too).
    const allowed = roleScopes(user.role);
    return {
      kind: 'token',
      userId: user.id,
      username: user.username,
      role: user.role,
      scopes: t.scopes.filter((s) => allowed.includes(s)),
      tokenId: t.id,
      tokenName: t.name,
    };
  }

  list(userId?: number): ApiTokenRow[] {
    const rows = (
      userId === undefined
        ? this.db.prepare('SELECT * FROM api_tokens ORDER BY id').all()
        : this.db.prepare('SELECT * FROM api_tokens WHERE user_id = ? ORDER BY id').all(userId)
    ) as RawTokenRow[];
    return rows.map(toTokenRow);
  }

  byId(id: number): ApiTokenRow | undefined {
    const raw = this.db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as RawTokenRow | undefined;
    return raw && toTokenRow(raw);
  }

  revoke(id: number): void {
    this.db
      .prepare('UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?')
      .run(this.now(), id);
  }
}
