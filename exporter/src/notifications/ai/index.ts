/** The optional AI rewrite of notifications: what the pipeline, the settings API and YAML use. */
export {
  AI_DETAILS,
  AI_DETAIL_TOKENS,
  AI_LANGUAGES,
  AI_PROVIDERS,
  AI_SECRET_KEYS,
  aiConfigSchema,
  DEFAULT_BASE_URLS,
  isAiLanguage,
  type AiConfig,
  type AiDetail,
  type AiLanguage,
  type AiProviderName,
} from './config.js';
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
