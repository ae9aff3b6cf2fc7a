/** What a caller may do. A read token cannot write, dismiss, control guests or open a terminal. */
export const SCOPES = ['read', 'write', 'admin', 'terminal'] as const;
export type Scope = (typeof SCOPES)[number];

export const ROLES = ['admin', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Scopes a user's own sessions carry, and the most an API token they create may have. */
export const roleScopes = (role: Role): readonly Scope[] => (role === 'admin' ? SCOPES : ['read']);

/** Who is calling, once authenticated. */
export interface Principal {
  kind: 'session' | 'token';
  userId: number;
  username: string;
  role: Role;
  scopes: readonly Scope[];
  /** API token id and name, for audit entries. */
  tokenId?: number;
  tokenName?: string;
}

export const hasScope = (p: Principal | undefined, scope: Scope): boolean => !!p && p.scopes.includes(scope);
