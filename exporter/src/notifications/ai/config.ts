import { z } from 'zod';
import { httpUrl } from '../channels/http.js';

/** The AI providers proxmon can ask to rewrite a notification. */
export const AI_PROVIDERS = ['openai', 'anthropic', 'gemini', 'groq', 'ollama', 'openrouter'] as const;
export type AiProviderName = (typeof AI_PROVIDERS)[number];

/** Languages a rewrite can be written in (the reference's twelve), with the name the prompt uses. */
export const AI_LANGUAGES = {
  en: 'English',
  es: 'Spanish',
  fr: 'French',
  de: 'German',
  pt: 'Portuguese',
  it: 'Italian',
  ru: 'Russian',
  sv: 'Swedish',
  no: 'Norwegian (Bokmål)',
  ja: 'Japanese',
  zh: 'Chinese (Simplified)',
  nl: 'Dutch',
} as const;
export type AiLanguage = keyof typeof AI_LANGUAGES;
export const AI_LANGUAGE_CODES = Object.keys(AI_LANGUAGES) as [AiLanguage, ...AiLanguage[]];

export function isAiLanguage(value: string): value is AiLanguage {
  return Object.hasOwn(AI_LANGUAGES, value);
}

/** How much a rewrite may say; each level is also the reply's token budget. */
export const AI_DETAIL_TOKENS = { brief: 500, standard: 1500, detailed: 3000 } as const;
export type AiDetail = keyof typeof AI_DETAIL_TOKENS;
export const AI_DETAILS = Object.keys(AI_DETAIL_TOKENS) as [AiDetail, ...AiDetail[]];

/** Where each provider answers when `base_url` is not set. */
export const DEFAULT_BASE_URLS: Readonly<Record<AiProviderName, string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
  groq: 'https://api.groq.com/openai/v1',
  ollama: 'http://localhost:11434',
  openrouter: 'https://openrouter.ai/api/v1',
};

const needsKey = (
  config: { provider: AiProviderName; api_key?: string | undefined },
  ctx: z.RefinementCtx,
) => {
  if (config.provider !== 'ollama' && config.api_key === undefined) {
    ctx.addIssue({ code: 'custom', path: ['api_key'], message: `${config.provider} needs an API key` });
  }
};

const aiConfigShape = {
  provider: z.enum(AI_PROVIDERS),
  /** Required by every provider except Ollama (which may sit behind a proxy that wants a bearer token). */
  api_key: z.string().trim().min(1).optional(),
  model: z.string().trim().min(1).max(200),
  /**
   * Overrides the provider's public endpoint: an OpenAI-compatible server for `openai` (including its
   * `/v1`), a proxy, or a remote Ollama. See DEFAULT_BASE_URLS for each form.
   */
  base_url: httpUrl.optional(),
  /** Default language; a channel may ask for another. */
  language: z.enum(AI_LANGUAGE_CODES).default('en'),
  /** Low keeps the model close to the facts. */
  temperature: z.number().min(0).max(2).default(0.3),
};

/**
 * The AI rewrite settings (snake_case, as in YAML and the API). `api_key` is the only secret. The
 * model is always named: provider catalogues change too often for a built-in default to stay valid.
 */
export const aiConfigSchema = z.strictObject(aiConfigShape).superRefine(needsKey);
export type AiConfig = z.output<typeof aiConfigSchema>;

/** Keys of aiConfigSchema that are encrypted at rest and masked in responses. */
export const AI_SECRET_KEYS = ['api_key'] as const;

/**
 * The global AI block as YAML `notifications.ai` and `PUT /api/notifications/ai` hold it: the
 * provider config plus a master switch and the default detail level. The model may wait until the
 * rewrite is switched on, so a provider and key can be saved first and its model list read next.
 */
export const aiSettingsSchema = z
  .strictObject({
    ...aiConfigShape,
    model: aiConfigShape.model.optional(),
    enabled: z.boolean().default(true),
    detail: z.enum(AI_DETAILS).default('standard'),
  })
  .superRefine((settings, ctx) => {
    needsKey(settings, ctx);
    if (settings.enabled && settings.model === undefined) {
      ctx.addIssue({ code: 'custom', path: ['model'], message: 'a model is needed while enabled' });
    }
  });
export type AiSettings = z.output<typeof aiSettingsSchema>;

/** The provider config of saved settings, once they name a model. */
export function configOf(settings: AiSettings): AiConfig | undefined {
  if (settings.model === undefined) return undefined;
  return {
    provider: settings.provider,
    model: settings.model,
    language: settings.language,
    temperature: settings.temperature,
    ...(settings.api_key !== undefined ? { api_key: settings.api_key } : {}),
    ...(settings.base_url !== undefined ? { base_url: settings.base_url } : {}),
  };
}
