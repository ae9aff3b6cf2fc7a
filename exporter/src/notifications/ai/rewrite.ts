import type { RenderedMessage } from '../channels/channel.js';
import { fail, ok, type Result } from '../../sources/source.js';
import { TtlCache } from './cache.js';
import type { AiConfig, AiDetail, AiLanguage, AiProviderName } from './config.js';
import { parseRewriteReply, type RewrittenText } from './parse.js';
import { buildRewritePrompt } from './prompt.js';
import { createProvider, PROVIDER_LABELS, type AiProvider } from './providers.js';

export const REWRITE_DEFAULTS = {
  /** Below the pipeline's own bound on a delivery, so a slow model delays a message but never loses it. */
  timeoutMs: 20_000,
  cacheSize: 256,
  cacheTtlMs: 60_000,
} as const;

export interface RewriterOptions {
  config: AiConfig;
  /** Global fetch by default; tests may wrap it. */
  fetch?: typeof fetch;
  timeoutMs?: number;
  cacheSize?: number;
  cacheTtlMs?: number;
  now?: () => number;
}

export interface RewriteOptions {
  /** Defaults to the config's language. */
  language?: AiLanguage;
  detail?: AiDetail;
  /** Aborts the model call early (shutdown); the rewriter's own timeout applies regardless. */
  signal?: AbortSignal;
}

/**
 * Both versions of a message. `message` is what to deliver: the rewrite when `rewritten`, else the
 * original object itself, unchanged, with `error` saying why the rewrite was not used.
 */
export interface RewriteOutcome {
  message: RenderedMessage;
  original: RenderedMessage;
  rewritten: boolean;
  error?: string;
}

export interface Rewriter {
  readonly provider: AiProviderName;
  readonly model: string;
  /** Never throws and never rejects: any failure delivers the template text. */
  rewrite(message: RenderedMessage, options?: RewriteOptions): Promise<RewriteOutcome>;
}

export function createRewriter(options: RewriterOptions): Rewriter {
  const { config } = options;
  const timeoutMs = options.timeoutMs ?? REWRITE_DEFAULTS.timeoutMs;
  const provider = createProvider(config, options.fetch ?? globalThis.fetch);
  const cache = new TtlCache<RewrittenText>(
    options.cacheSize ?? REWRITE_DEFAULTS.cacheSize,
    options.cacheTtlMs ?? REWRITE_DEFAULTS.cacheTtlMs,
    options.now ?? Date.now,
  );
  // Concurrent requests for the same rewrite (one event, several channels) share one model call.
  const inFlight = new Map<string, Promise<Result<RewrittenText>>>();

  return {
    provider: provider.name,
    model: provider.model,
    async rewrite(message, opts = {}) {
      const unchanged = (error: string): RewriteOutcome => ({
        message,
        original: message,
        rewritten: false,
        error,
      });
      try {
        const language = opts.language ?? config.language;
        const detail = opts.detail ?? 'standard';
        const key = cacheKey(config, provider, language, detail, message);
        let text = cache.get(key);
        if (text === undefined) {
          let pending = inFlight.get(key);
          if (!pending) {
            pending = askModel(provider, config, message, {
              language,
              detail,
              timeoutMs,
              signal: opts.signal,
            });
            inFlight.set(key, pending);
            void pending.finally(() => inFlight.delete(key));
          }
          const result = await pending;
          if (!result.ok) return unchanged(result.error.message);
          cache.set(key, result.value);
          text = result.value;
        }
        return { message: { ...message, ...text }, original: message, rewritten: true };
      } catch (err) {
        return unchanged(`AI rewrite failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}

/** The facts a rewrite depends on: whatever the prompt shows the model, plus who answers. */
function cacheKey(
  config: AiConfig,
  provider: AiProvider,
  language: AiLanguage,
  detail: AiDetail,
  m: RenderedMessage,
): string {
  return JSON.stringify([
    provider.name,
    config.base_url ?? '',
    provider.model,
    language,
    detail,
    m.severity,
    m.type,
    m.group,
    m.host,
    m.title,
    m.body,
    m.fields.map((f) => [f.label, f.value]),
  ]);
}

async function askModel(
  provider: AiProvider,
  config: AiConfig,
  message: RenderedMessage,
  options: { language: AiLanguage; detail: AiDetail; timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<Result<RewrittenText>> {
  try {
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    const prompt = buildRewritePrompt(message, options);
    const reply = await provider.chat({ ...prompt, temperature: config.temperature, signal });
    if (!reply.ok) {
      if (reply.error.kind === 'timeout' && deadline.aborted) {
        return fail('timeout', `${PROVIDER_LABELS[provider.name]}: no reply within ${options.timeoutMs} ms`);
      }
      return reply;
    }
    return parseRewriteReply(reply.value, message);
  } catch (err) {
    return fail('io', `AI rewrite failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A typical event, used by the settings page's "test" button to show what the model makes of it. */
export const SAMPLE_MESSAGE: RenderedMessage = {
  title: 'pve1: backup of VM 101 (web01) failed',
  body: [
    'vzdump of VM 101 (web01) to storage backup-nfs failed after 2m 14s.',
    'Reason: storage backup-nfs (192.0.2.10:/export/pve) is not online.',
    'Severity: CRITICAL',
  ].join('\n'),
  severity: 'CRITICAL',
  type: 'backup_fail',
  group: 'backup',
  fields: [
    { label: 'VM', value: '101 (web01)' },
    { label: 'Storage', value: 'backup-nfs' },
  ],
  host: 'pve1',
  at: Date.UTC(2026, 0, 15, 3, 0, 0),
};

export interface ProviderDeps {
  fetch?: typeof fetch;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * One real rewrite of SAMPLE_MESSAGE with this config, through the same prompt and checks as live
 * messages, so a passing test means notifications will be rewritten (not only that the key works).
 */
export async function testProvider(
  config: AiConfig,
  deps: ProviderDeps & { language?: AiLanguage; detail?: AiDetail } = {},
): Promise<Result<{ model: string; sample: RewrittenText }>> {
  const rewriter = createRewriter({
    config,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.timeoutMs !== undefined ? { timeoutMs: deps.timeoutMs } : {}),
    cacheSize: 0,
  });
  const outcome = await rewriter.rewrite(SAMPLE_MESSAGE, {
    detail: deps.detail ?? 'brief',
    ...(deps.language ? { language: deps.language } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (!outcome.rewritten) return fail('io', outcome.error ?? 'AI rewrite failed');
  return ok({
    model: rewriter.model,
    sample: { title: outcome.message.title, body: outcome.message.body },
  });
}

/** The provider's model list for the settings page, bounded like a rewrite. Never throws. */
export async function listModels(config: AiConfig, deps: ProviderDeps = {}): Promise<Result<string[]>> {
  const timeoutMs = deps.timeoutMs ?? REWRITE_DEFAULTS.timeoutMs;
  try {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = deps.signal ? AbortSignal.any([deadline, deps.signal]) : deadline;
    const result = await createProvider(config, deps.fetch ?? globalThis.fetch).models(signal);
    if (!result.ok && result.error.kind === 'timeout' && deadline.aborted) {
      return fail('timeout', `${PROVIDER_LABELS[config.provider]}: no model list within ${timeoutMs} ms`);
    }
    return result;
  } catch (err) {
    return fail('io', `listing models failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
