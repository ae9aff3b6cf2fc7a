import type { Keyring } from '../../auth/secrets.js';
import { deleteSecret, getSecret, putSecret } from '../../auth/secrets.js';
import type { Db } from '../../store/db.js';
import { aiSettingsSchema, DEFAULT_BASE_URLS, type AiSettings } from './config.js';

// Stored in the kv table (migration 4) and the secrets table (migration 2): no table of its own.
const KV_KEY = 'notify_ai';
const KEY_SECRET = 'notify.ai.api_key';
/** What a client may send back for the key it was shown as set; it keeps the stored key. */
export const AI_KEY_MASK = '********';

/** Where the settings in use come from. */
export type AiSettingsSource = 'api' | 'config';

export interface EffectiveAiSettings {
  settings: AiSettings;
  source: AiSettingsSource;
  /** When the API last saved them (absent for YAML). */
  updatedAt?: number;
}

/** The settings for display: everything but the key, which is only said to be set or not. */
export interface AiSettingsView {
  configured: boolean;
  source: AiSettingsSource | null;
  enabled: boolean;
  provider: AiSettings['provider'] | null;
  model: string | null;
  base_url: string | null;
  /** Where requests go when `base_url` is not set. */
  default_base_url: string | null;
  language: AiSettings['language'];
  detail: AiSettings['detail'];
  temperature: number;
  api_key_set: boolean;
  updated_at: number | null;
}

/** A settings change that failed validation: which key, and why (never the value). */
export class AiSettingsError extends Error {}

/**
 * The global AI rewrite settings. Precedence: the YAML `notifications.ai` block is the default until
 * the first `PUT /api/notifications/ai`; from then on the API-saved settings are used whole (YAML is
 * not merged in), until `DELETE /api/notifications/ai` drops them and YAML applies again. A fleet
 * provisioned as code therefore keeps its YAML unless someone deliberately takes over in the API, and
 * the view's `source` says which one is in force.
 */
export class AiSettingsStore {
  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring,
    /** The validated YAML block, if any (see aiSettingsFromConfig). */
    private readonly yaml?: AiSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** The settings in force, with the decrypted key; undefined when neither YAML nor the API set any. */
  effective(): EffectiveAiSettings | undefined {
    const row = this.db.prepare('SELECT value, updated_at FROM kv WHERE key = ?').get(KV_KEY) as
      { value: string; updated_at: number } | undefined;
    if (row) {
      const key = getSecret(this.db, this.keyring, KEY_SECRET);
      const parsed = aiSettingsSchema.safeParse({
        ...(JSON.parse(row.value) as object),
        ...(key !== null ? { api_key: key } : {}),
      });
      // A row that no longer validates (an older schema) is ignored rather than breaking delivery.
      if (parsed.success) return { settings: parsed.data, source: 'api', updatedAt: row.updated_at };
    }
    return this.yaml && { settings: this.yaml, source: 'config' };
  }

  view(): AiSettingsView {
    const e = this.effective();
    const s = e?.settings;
    return {
      configured: e !== undefined,
      source: e?.source ?? null,
      enabled: s?.enabled ?? false,
      provider: s?.provider ?? null,
      model: s?.model ?? null,
      base_url: s?.base_url ?? null,
      default_base_url: s ? DEFAULT_BASE_URLS[s.provider] : null,
      language: s?.language ?? 'en',
      detail: s?.detail ?? 'standard',
      temperature: s?.temperature ?? 0.3,
      api_key_set: s?.api_key !== undefined,
      updated_at: e?.updatedAt ?? null,
    };
  }

  /**
   * Replaces the settings with `input` (the API body: every key but the API key is taken as given).
   * An absent, empty or masked `api_key` keeps the key in force (saved or from YAML) as long as the
   * provider and base URL stay the same: a key is never sent to a server it was not given for (a
   * stolen admin token must not be able to redirect it), and another provider's key would only
   * earn a 401.
   */
  put(input: Record<string, unknown>): AiSettingsView {
    // null (and an empty model or base URL from a form) means "not set".
    const given = Object.fromEntries(
      Object.entries(input).filter(([k, v]) => v !== null && !(v === '' && k !== 'api_key')),
    );
    const key = given.api_key;
    if (key === undefined || key === '' || key === AI_KEY_MASK) {
      delete given.api_key;
      const current = this.effective()?.settings;
      if (
        current?.api_key !== undefined &&
        current.provider === given.provider &&
        current.base_url === given.base_url
      )
        given.api_key = current.api_key;
    }
    const parsed = aiSettingsSchema.safeParse(given);
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      throw new AiSettingsError(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
    }
    const { api_key: apiKey, ...rest } = parsed.data;
    this.db.transaction(() => {
      if (apiKey !== undefined) putSecret(this.db, this.keyring, KEY_SECRET, apiKey);
      else deleteSecret(this.db, KEY_SECRET);
      this.db
        .prepare(
          `INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?)
           ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        )
        .run(KV_KEY, JSON.stringify(rest), this.now());
    })();
    return this.view();
  }

  /** Drops the API-saved settings (YAML, if any, applies again); false when there were none. */
  clear(): boolean {
    return this.db.transaction(() => {
      deleteSecret(this.db, KEY_SECRET);
      return this.db.prepare('DELETE FROM kv WHERE key = ?').run(KV_KEY).changes > 0;
    })();
  }
}
