/** The optional AI rewrite of notifications: what the pipeline, the settings API and YAML use. */
export {
  AI_DETAILS,
  AI_DETAIL_TOKENS,
  AI_LANGUAGES,
  AI_LANGUAGE_CODES,
  AI_PROVIDERS,
  AI_SECRET_KEYS,
  aiConfigSchema,
  aiSettingsSchema,
  configOf,
  DEFAULT_BASE_URLS,
  isAiLanguage,
  type AiConfig,
  type AiDetail,
  type AiLanguage,
  type AiProviderName,
  type AiSettings,
} from './config.js';
export { aiSettingsFromConfig } from './from-config.js';
export { createAiRewrite, type AiRewriteOptions } from './live-rewrite.js';
export {
  AI_KEY_MASK,
  AiSettingsError,
  AiSettingsStore,
  type AiSettingsSource,
  type AiSettingsView,
  type EffectiveAiSettings,
} from './settings-store.js';
export type { RewrittenText } from './parse.js';
export {
  createRewriter,
  listModels,
  REWRITE_DEFAULTS,
  SAMPLE_MESSAGE,
  testProvider,
  type ProviderDeps,
  type RewriteOptions,
  type RewriteOutcome,
  type Rewriter,
  type RewriterOptions,
} from './rewrite.js';
