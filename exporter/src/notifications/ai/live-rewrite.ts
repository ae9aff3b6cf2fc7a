import type { Logger } from 'pino';
import type { Rewrite } from '../delivery.js';
import { configOf, isAiLanguage } from './config.js';
import { createRewriter, type Rewriter } from './rewrite.js';
import type { AiSettingsStore } from './settings-store.js';

export interface AiRewriteOptions {
  logger: Logger;
  fetch?: typeof fetch;
  /** Bound on one model call (default REWRITE_DEFAULTS.timeoutMs). */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * The delivery worker's `rewrite`: reads the settings in force at every message, so a change made
 * through the API applies to the next delivery without a restart. The rewriter (and its cache) is
 * kept while the settings stay the same. Switched off or unconfigured, the template goes out as is;
 * any failure of the model also sends the template, and says why in the log.
 */
export function createAiRewrite(store: AiSettingsStore, options: AiRewriteOptions): Rewrite {
  const log = options.logger.child({ component: 'notifications-ai' });
  let current: { signature: string; rewriter: Rewriter } | undefined;
  return async (message, request) => {
    const settings = store.effective()?.settings;
    const config = settings?.enabled ? configOf(settings) : undefined;
    if (!config) return { message };
    // The key is part of the signature: a new key must not reuse replies cached under the old one.
    const signature = JSON.stringify(config);
    if (current?.signature !== signature) {
      current = {
        signature,
        rewriter: createRewriter({
          config,
          ...(options.fetch ? { fetch: options.fetch } : {}),
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
          ...(options.now ? { now: options.now } : {}),
        }),
      };
    }
    const out = await current.rewriter.rewrite(message, {
      detail: request.detail,
      ...(isAiLanguage(request.language) ? { language: request.language } : {}),
    });
    if (out.error)
      log.warn({ reason: out.error, type: message.type }, 'AI rewrite not used; sending the template');
    return out.rewritten ? { message: out.message, original: out.original } : { message: out.message };
  };
}
