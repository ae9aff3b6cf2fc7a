import { z } from 'zod';
import type { AuditLog } from '../auth/audit.js';
import type { Principal } from '../auth/scopes.js';
import {
  AI_DETAILS,
  AI_KEY_MASK,
  AI_LANGUAGE_CODES,
  AI_LANGUAGES,
  AI_PROVIDERS,
  aiConfigSchema,
  AiSettingsError,
  DEFAULT_BASE_URLS,
  listModels,
  SAMPLE_MESSAGE,
  testProvider,
  type AiConfig,
  type AiProviderName,
  type AiSettingsStore,
} from '../notifications/ai/index.js';
import { redact } from '../notifications/channels/http.js';
import { ChannelConfigError } from '../notifications/channel-store.js';
import type { NotificationEngine } from '../notifications/engine.js';
import { ApiError, errors } from './errors.js';
import type { ApiRouter } from './route.js';
import { isoFromMs } from './source-status.js';

export interface AiRoutesDeps {
  engine: NotificationEngine;
  audit: AuditLog;
  /** Without it the /ai routes answer 404 (the exporter was started without the settings store). */
  ai?: AiSettingsStore | undefined;
  /** For the provider calls of /ai/models and /ai/test (tests point it at stand-ins). */
  fetch?: typeof fetch;
  /** Bound on those calls (default: the rewrite's own, 20 s). */
  timeoutMs?: number;
  actor: (p: Principal | undefined) => string | null;
}

const anyObject = z.record(z.string(), z.unknown());
const language = z.enum(AI_LANGUAGE_CODES);
const detail = z.enum(AI_DETAILS);

/** A channel's own AI choice; a channel switched on here without language or detail takes the global ones. */
const channelAi = z.strictObject({
  enabled: z.boolean().optional(),
  language: language.optional(),
  detail: detail.optional(),
});

const putBody = z.strictObject({
  enabled: z.boolean().optional(),
  provider: z.enum(AI_PROVIDERS),
  model: z.string().max(200).nullable().optional(),
  base_url: z.string().max(2000).nullable().optional(),
  /** Write-only. Absent, empty or the mask: the key in force is kept (same provider and base URL only). */
  api_key: z.string().max(2000).optional(),
  language: language.optional(),
  detail: detail.optional(),
  temperature: z.number().optional(),
  /** Per-channel overrides, by channel name. */
  channels: z.record(z.string(), channelAi).optional(),
});

const testBody = z.strictObject({
  provider: z.enum(AI_PROVIDERS).optional(),
  model: z.string().min(1).max(200).optional(),
  base_url: z.string().max(2000).optional(),
  api_key: z.string().max(2000).optional(),
  language: language.optional(),
  detail: detail.optional(),
  temperature: z.number().optional(),
});

/** A provider's refusal or failure, as an API error that carries its reason but never the key. */
const providerError = (message: string, key: string | undefined) =>
  new ApiError(502, 'ai_provider_error', redact(message, [key]));

/**
 * `/api/notifications/ai`: the AI rewrite settings (key write-only, shown as `api_key_set`), the
 * provider's model list and a test rewrite. Changing settings takes admin like the other
 * notification settings and channels (the key is a secret of the same kind); the test takes write
 * like the channel test; reading takes read.
 */
export function addAiRoutes(api: ApiRouter, deps: AiRoutesDeps): void {
  const { engine } = deps;
  const store = () => {
    if (!deps.ai) throw errors.notFound('AI rewrite settings are not available in this exporter');
    return deps.ai;
  };
  const channels = () =>
    engine.channels.list().map((c) => ({
      name: c.spec.name,
      type: c.spec.type,
      enabled: c.spec.ai.enabled,
      language: c.spec.ai.language,
      detail: c.spec.ai.detail,
    }));
  const view = () => {
    const v = store().view();
    return {
      ...v,
      updated_at: v.updated_at === null ? null : isoFromMs(v.updated_at),
      channels: channels(),
      providers: [...AI_PROVIDERS],
      languages: AI_LANGUAGES,
    };
  };

  /**
   * Where a models or test call goes, and with which key. The saved key is only ever sent to the
   * saved provider at the saved base URL: a caller naming another provider or URL brings its own key,
   * so no one can point the exporter at a server of theirs to collect the key.
   */
  const target = (over: { provider?: AiProviderName; base_url?: string; api_key?: string }) => {
    const saved = store().effective()?.settings;
    const provider = over.provider ?? saved?.provider;
    if (!provider)
      throw errors.validation(
        'no AI provider configured: save one with PUT /api/notifications/ai, or name `provider`',
      );
    const sameProvider = saved?.provider === provider;
    const baseUrl = over.base_url ?? (sameProvider ? saved.base_url : undefined);
    const savedTarget = sameProvider && baseUrl === saved.base_url;
    const givenKey = over.api_key === '' || over.api_key === AI_KEY_MASK ? undefined : over.api_key;
    const key = givenKey ?? (savedTarget ? saved.api_key : undefined);
    if (provider !== 'ollama' && key === undefined)
      throw errors.validation(
        `api_key: ${provider} needs an API key (the saved key is only sent to the saved provider and base URL)`,
      );
    return { provider, baseUrl, key, saved: sameProvider ? saved : undefined };
  };

  api.route(
    {
      method: 'get',
      path: '/ai',
      auth: 'read',
      summary:
        'AI rewrite settings in force (`source`: api or config), the key only as `api_key_set`, and each channel’s own choice',
      response: anyObject,
    },
    () => view(),
  );

  api.route(
    {
      method: 'put',
      path: '/ai',
      auth: 'admin',
      summary:
        'Replace the AI rewrite settings (from then on they win over YAML); an absent or masked `api_key` keeps the key in force while provider and base URL stay the same',
      body: putBody,
      response: anyObject,
    },
    ({ body, principal, clientIp }) => {
      const ai = store();
      const { channels: perChannel = {}, ...settings } = body;
      const targets = Object.entries(perChannel).map(([name, choice]) => {
        const stored = engine.channels.get(name);
        if (!stored) throw errors.validation(`channels.${name}: no channel named ${name}`);
        return { stored, choice };
      });
      const hadKey = ai.view().api_key_set;
      let saved;
      try {
        saved = ai.put(settings);
      } catch (err) {
        if (err instanceof AiSettingsError) throw errors.validation(err.message);
        throw err;
      }
      for (const { stored, choice } of targets) {
        const before = stored.spec.ai;
        const switchedOn = choice.enabled === true && !before.enabled;
        const next = {
          enabled: choice.enabled ?? before.enabled,
          language: choice.language ?? (switchedOn ? saved.language : before.language),
          detail: choice.detail ?? (switchedOn ? saved.detail : before.detail),
        };
        try {
          engine.channels.put({ ...stored.spec, ai: next }, stored.source);
        } catch (err) {
          if (err instanceof ChannelConfigError)
            throw errors.validation(`channels.${stored.spec.name}: ${err.message}`);
          throw err;
        }
      }
      deps.audit.record({
        actor: deps.actor(principal),
        ip: clientIp,
        action: 'notifications_ai_changed',
        detail: {
          provider: saved.provider,
          model: saved.model,
          enabled: saved.enabled,
          api_key:
            settings.api_key && settings.api_key !== AI_KEY_MASK ? 'replaced' : hadKey ? 'kept' : 'none',
          channels: targets.map((t) => t.stored.spec.name),
        },
      });
      return view();
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/ai',
      auth: 'admin',
      summary: 'Drop the AI settings saved through the API (the YAML block, if any, applies again)',
      response: anyObject,
    },
    ({ principal, clientIp }) => {
      const removed = store().clear();
      if (removed)
        deps.audit.record({ actor: deps.actor(principal), ip: clientIp, action: 'notifications_ai_cleared' });
      return { removed, ...view() };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/ai/models',
      auth: 'read',
      summary:
        'Models the provider offers, from its own list endpoint (`provider`/`base_url` ask another one, without the saved key)',
      query: z.strictObject({
        provider: z.enum(AI_PROVIDERS).optional(),
        base_url: z.string().max(2000).optional(),
      }),
      response: z.object({ provider: z.string(), base_url: z.string(), models: z.array(z.string()) }),
    },
    async ({ query }) => {
      const t = target(query);
      const config = aiConfigSchema.safeParse({
        provider: t.provider,
        // The list endpoints ignore the model; the adapters want one.
        model: t.saved?.model ?? 'none',
        ...(t.baseUrl !== undefined ? { base_url: t.baseUrl } : {}),
        ...(t.key !== undefined ? { api_key: t.key } : {}),
      });
      if (!config.success) throw errors.validation(issue(config.error));
      const result = await listModels(config.data, options());
      if (!result.ok) throw providerError(result.error.message, t.key);
      return {
        provider: t.provider,
        base_url: t.baseUrl ?? DEFAULT_BASE_URLS[t.provider],
        models: result.value,
      };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/ai/test',
      auth: 'write',
      summary:
        'Rewrite a sample event with the saved settings (or the ones given) and show both texts and the latency; provider failures answer 502',
      body: testBody,
      response: z.object({
        ok: z.literal(true),
        provider: z.string(),
        model: z.string(),
        language: z.string(),
        detail: z.string(),
        latency_ms: z.number(),
        template: z.object({ title: z.string(), body: z.string() }),
        rewritten: z.object({ title: z.string(), body: z.string() }),
      }),
    },
    async ({ body }) => {
      const t = target(body);
      const parsed = aiConfigSchema.safeParse({
        provider: t.provider,
        model: body.model ?? t.saved?.model,
        language: body.language ?? t.saved?.language,
        temperature: body.temperature ?? t.saved?.temperature,
        ...(t.baseUrl !== undefined ? { base_url: t.baseUrl } : {}),
        ...(t.key !== undefined ? { api_key: t.key } : {}),
      });
      if (!parsed.success) throw errors.validation(issue(parsed.error));
      const config: AiConfig = parsed.data;
      const level = body.detail ?? t.saved?.detail ?? 'standard';
      const started = performance.now();
      const result = await testProvider(config, { ...options(), language: config.language, detail: level });
      const latency = Math.round(performance.now() - started);
      if (!result.ok) throw providerError(result.error.message, t.key);
      return {
        ok: true as const,
        provider: config.provider,
        model: result.value.model,
        language: config.language,
        detail: level,
        latency_ms: latency,
        template: { title: SAMPLE_MESSAGE.title, body: SAMPLE_MESSAGE.body },
        rewritten: result.value.sample,
      };
    },
  );

  function options() {
    return {
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(deps.timeoutMs !== undefined ? { timeoutMs: deps.timeoutMs } : {}),
    };
  }
}

function issue(error: z.ZodError): string {
  const [first] = error.issues;
  return `${first?.path.join('.') || 'body'}: ${first?.message ?? 'invalid'}`;
}
