import type { Keyring } from '../auth/secrets.js';
import { deleteSecret, getSecret, maskSecret, putSecret } from '../auth/secrets.js';
import type { Db } from '../store/db.js';
import type { ChannelKind } from './channels/channel.js';
import { CHANNEL_KINDS } from './channels/index.js';
import { channelSpecSchema, type ChannelSpec } from './settings.js';

const secretName = (channel: string, key: string) => `notify.channel.${channel}.${key}`;

export type ChannelSource = 'api' | 'config';

export interface StoredChannel {
  spec: ChannelSpec;
  source: ChannelSource;
  updatedAt: number;
}

/** A channel config that failed its kind's schema: which key, and why (never the value). */
export class ChannelConfigError extends Error {}

/**
 * Channels at rest: the spec as JSON with every secret key removed, and each secret encrypted in the
 * `secrets` table (so key rotation covers them). Specs handed out for display are masked.
 */
export class ChannelStore {
  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring,
    private readonly now: () => number = Date.now,
  ) {}

  private kind(spec: ChannelSpec): ChannelKind {
    return CHANNEL_KINDS[spec.type];
  }

  /**
   * Validates the type-specific config and stores it. A secret left out (or given as the mask) on an
   * update keeps its stored value, so clients can save a form without re-entering tokens.
   */
  put(input: unknown, source: ChannelSource): StoredChannel {
    const spec = channelSpecSchema.parse(input);
    const kind = this.kind(spec);
    const previous = this.get(spec.name);
    const config: Record<string, unknown> = { ...spec.config };
    for (const key of kind.secretKeys) {
      const given = config[key];
      if ((given === undefined || given === '********') && previous?.spec.type === spec.type)
        config[key] = this.secret(spec.name, key) ?? undefined;
      if (config[key] === undefined) delete config[key];
    }
    const checked = kind.config.safeParse(config);
    if (!checked.success) {
      const [issue] = checked.error.issues;
      throw new ChannelConfigError(`config.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    const clean = checked.data as Record<string, unknown>;
    const publicConfig = { ...clean };
    this.db.transaction(() => {
      for (const key of kind.secretKeys) {
        const v = clean[key];
        delete publicConfig[key];
        if (typeof v === 'string' && v !== '')
          putSecret(this.db, this.keyring, secretName(spec.name, key), v);
        else deleteSecret(this.db, secretName(spec.name, key));
      }
      this.db
        .prepare(
          `INSERT INTO notify_channels (name, type, spec, source, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET type = excluded.type, spec = excluded.spec, source = excluded.source,
             updated_at = excluded.updated_at`,
        )
        .run(spec.name, spec.type, JSON.stringify({ ...spec, config: publicConfig }), source, this.now());
    })();
    return this.get(spec.name)!;
  }

  /** The stored spec without secrets (for display, use `masked`; for sending, `withSecrets`). */
  get(name: string): StoredChannel | undefined {
    const r = this.db
      .prepare('SELECT spec, source, updated_at FROM notify_channels WHERE name = ?')
      .get(name) as { spec: string; source: ChannelSource; updated_at: number } | undefined;
    return r && { spec: JSON.parse(r.spec) as ChannelSpec, source: r.source, updatedAt: r.updated_at };
  }

  list(): StoredChannel[] {
    return (
      this.db.prepare('SELECT spec, source, updated_at FROM notify_channels ORDER BY name').all() as Array<{
        spec: string;
        source: ChannelSource;
        updated_at: number;
      }>
    ).map((r) => ({ spec: JSON.parse(r.spec) as ChannelSpec, source: r.source, updatedAt: r.updated_at }));
  }

  delete(name: string): boolean {
    const stored = this.get(name);
    if (!stored) return false;
    this.db.transaction(() => {
      for (const key of this.kind(stored.spec).secretKeys) deleteSecret(this.db, secretName(name, key));
      this.db.prepare('DELETE FROM notify_channels WHERE name = ?').run(name);
    })();
    return true;
  }

  private secret(name: string, key: string): string | null {
    return getSecret(this.db, this.keyring, secretName(name, key));
  }

  /** The full config for building a sender: the stored public keys plus the decrypted secrets. */
  withSecrets(stored: StoredChannel): Record<string, unknown> {
    const config: Record<string, unknown> = { ...stored.spec.config };
    for (const key of this.kind(stored.spec).secretKeys) {
      const v = this.secret(stored.spec.name, key);
      if (v !== null) config[key] = v;
    }
    return config;
  }

  /** For API responses: each secret key as the fixed mask (or null when unset); never the value. */
  masked(stored: StoredChannel): ChannelSpec & { secrets: Record<string, boolean> } {
    const config: Record<string, unknown> = { ...stored.spec.config };
    const secrets: Record<string, boolean> = {};
    for (const key of this.kind(stored.spec).secretKeys) {
      const m = maskSecret(this.secret(stored.spec.name, key));
      secrets[key] = m.set;
      if (m.set) config[key] = m.masked;
    }
    return { ...stored.spec, config, secrets };
  }
}
