import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type {
  Channel,
  ChannelDeps,
  ChannelKind,
  DeliveryResult,
  NotifySeverity,
  RenderedMessage,
} from './channel.js';
import {
  configFailure,
  httpRequest,
  httpUrl,
  isFailure,
  isSuccess,
  joinUrl,
  redact,
  replyFailure,
  truncate,
  type DeliveryFailure,
} from './http.js';

/**
 * Apprise, two ways: the Apprise API server (`POST /notify/` stateless with the URLs in the body, or
 * `POST /notify/{key}` with URLs stored on the server), or the `apprise` CLI run locally with the URLs
 * from this config. `mode` defaults to `api` when `api_url` is set, else `cli`.
 */
export const appriseConfig = z
  .object({
    mode: z.enum(['api', 'cli']).optional(),
    /** Base URL of an Apprise API server, e.g. http://apprise:8000. */
    api_url: httpUrl.optional(),
    /** Configuration key stored on the API server (`/notify/{key}`). */
    key: z
      .string()
      .trim()
      .regex(/^[\w-]{1,128}$/, 'must be 1-128 letters, digits, _ or -')
      .optional(),
    /** One or more Apprise URLs (tgram://…, mailto://…), separated by commas, spaces or newlines. */
    urls: z.string().trim().min(1).optional(),
    /** Only notify the URLs with this tag in the configuration stored under `key`. */
    tag: z
      .string()
      .trim()
      .regex(/^[\w ,-]{1,128}$/)
      .optional(),
    /** Deadline for the CLI, under the delivery's own. */
    timeout_seconds: z.number().int().min(1).max(300).default(30),
  })
  .superRefine((cfg, ctx) => {
    const mode = appriseMode(cfg);
    const bad = splitUrls(cfg.urls ?? '').filter((u) => !APPRISE_URL.test(u));
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['urls'],
        message: `${bad.length} entry(ies) are not schema://… URLs`,
      });
    }
    if (mode === 'api' && !cfg.api_url) {
      ctx.addIssue({ code: 'custom', path: ['api_url'], message: 'api mode needs api_url' });
    }
    if (mode === 'api' && !cfg.key && !cfg.urls) {
      ctx.addIssue({ code: 'custom', path: ['urls'], message: 'api mode needs a key or urls' });
    }
    if (mode === 'cli' && !cfg.urls)
      ctx.addIssue({ code: 'custom', path: ['urls'], message: 'cli mode needs urls' });
    if (cfg.tag && !(mode === 'api' && cfg.key)) {
      // Tags live in stored configurations; the URLs given here carry none.
      ctx.addIssue({ code: 'custom', path: ['tag'], message: 'tag applies only to api mode with a key' });
    }
  });
export type AppriseConfig = z.output<typeof appriseConfig>;

const APPRISE_URL = /^[a-z][a-z0-9+.-]{1,31}:\/\/\S+$/i;

/** Apprise's notify types, by severity (as the original did). */
export const APPRISE_TYPE: Readonly<Record<NotifySeverity, 'failure' | 'warning' | 'info' | 'success'>> = {
  CRITICAL: 'failure',
  WARNING: 'warning',
  INFO: 'info',
  OK: 'success',
};

/** Apprise splits or cuts per service itself; this only bounds what proxmon hands over (and argv). */
export const APPRISE_BODY_MAX = 32_000;

export const appriseChannel: ChannelKind<typeof appriseConfig> = {
  type: 'apprise',
  config: appriseConfig,
  secretKeys: ['urls', 'key'],
  create(config, deps): Channel {
    const urls = splitUrls(config.urls ?? '');
    const secrets = [config.urls, config.key, ...urls];
    const mode = appriseMode(config);
    return {
      type: 'apprise',
      send: (message, { signal }) =>
        mode === 'api'
          ? sendViaApi(config, urls, message, signal, deps, secrets)
          : sendViaCli(config, urls, message, signal, deps, secrets),
    };
  },
};

export function appriseMode(cfg: {
  mode?: 'api' | 'cli' | undefined;
  api_url?: string | undefined;
}): 'api' | 'cli' {
  return cfg.mode ?? (cfg.api_url ? 'api' : 'cli');
}

export function splitUrls(text: string): string[] {
  return text.split(/[\s,]+/).filter((u) => u !== '');
}

/** Body text: the message, then its facts, the host and the link (Apprise services are mostly plain text). */
export function appriseBody(message: RenderedMessage): string {
  const parts = [message.body];
  if (message.fields.length > 0) parts.push(message.fields.map((f) => `${f.label}: ${f.value}`).join('\n'));
  parts.push(`Host: ${message.host}${message.url ? `\n${message.url}` : ''}`);
  return truncate(parts.filter((p) => p !== '').join('\n\n'), APPRISE_BODY_MAX, '\n… (message truncated)');
}

async function sendViaApi(
  config: AppriseConfig,
  urls: string[],
  message: RenderedMessage,
  signal: AbortSignal,
  deps: ChannelDeps,
  secrets: ReadonlyArray<string | undefined>,
): Promise<DeliveryResult> {
  if (!config.api_url) return configFailure('Apprise API', 'api_url is not set');
  const path = config.key ? `notify/${encodeURIComponent(config.key)}` : 'notify/';
  const reply = await httpRequest(deps.fetch, {
    service: 'Apprise API',
    url: joinUrl(config.api_url, path),
    headers: { Accept: 'application/json' },
    json: {
      ...(config.key ? {} : { urls: urls.join(',') }),
      title: message.title,
      body: appriseBody(message),
      type: APPRISE_TYPE[message.severity],
      format: 'text',
      ...(config.tag ? { tag: config.tag } : {}),
    },
    signal,
    secrets,
  });
  if (isFailure(reply)) return reply;
  if (reply.status === 204) {
    // 204 is how the server says "nothing to notify": no stored config for the key, or no usable URLs.
    return configFailure(
      'Apprise API',
      config.key ? 'no configuration is stored for this key' : 'the server found no usable URLs',
      secrets,
    );
  }
  if (isSuccess(reply)) return { ok: true };
  if (reply.status === 424) {
    // One or more upstream services failed. A retry goes to all of them again: a service that did get
    // it may see it twice, which beats one that never does.
    return { ...replyFailure('Apprise API', reply, secrets), retryable: true };
  }
  return replyFailure('Apprise API', reply, secrets);
}

async function sendViaCli(
  config: AppriseConfig,
  urls: string[],
  message: RenderedMessage,
  signal: AbortSignal,
  deps: ChannelDeps,
  secrets: ReadonlyArray<string | undefined>,
): Promise<DeliveryResult> {
  if (urls.length === 0) return configFailure('Apprise CLI', 'no urls configured');
  // The URLs hold tokens: they go in a private config file, never in argv (visible in `ps`).
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), 'proxmon-apprise-'));
    const file = join(dir, 'apprise.yml');
    await writeFile(file, appriseYaml(urls), { mode: 0o600 });
    const args = [
      '-v',
      `--title=${message.title}`,
      `--body=${appriseBody(message)}`,
      `--notification-type=${APPRISE_TYPE[message.severity]}`,
      '--input-format=text',
      `--config=${file}`,
    ];
    const run = await deps.exec('apprise', args, {
      timeoutMs: config.timeout_seconds * 1000,
      signal,
      maxOutputBytes: 1024 * 1024,
    });
    if (!run.ok) {
      if (run.error.kind === 'absent') {
        return configFailure(
          'Apprise CLI',
          'the apprise command is not installed (Debian package "apprise")',
        );
      }
      return { ok: false, retryable: true, error: redact(`Apprise CLI: ${run.error.message}`, secrets) };
    }
    if (run.value.exitCode === 0) return { ok: true };
    return cliFailure(run.value.exitCode, `${run.value.stderr}\n${run.value.stdout}`, secrets);
  } catch (err) {
    // Typically a full or read-only temp directory, which may clear up.
    const reason = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      retryable: true,
      error: redact(`Apprise CLI: could not run: ${reason}`, secrets),
    };
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** A YAML config (format picked by the .yml name); JSON strings are valid YAML scalars, so no quoting bugs. */
export function appriseYaml(urls: readonly string[]): string {
  return ['version: 1', 'urls:', ...urls.map((u) => `  - ${JSON.stringify(u)}`), ''].join('\n');
}

/**
 * The CLI's exit statuses: 1 when a service failed (or nothing could be loaded), 2 for a bad parameter,
 * 3 when no service was left to notify.
 */
function cliFailure(
  exitCode: number,
  output: string,
  secrets: ReadonlyArray<string | undefined>,
): DeliveryFailure {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => / - (ERROR|WARNING) - /.test(l) || /^Error:/.test(l));
  const detail = lines
    .slice(-3)
    .map((l) => l.replace(/^\S+ \S+ - (ERROR|WARNING) - /, ''))
    .join(' | ');
  const nothingLoaded = /at least one server URL|Failed to load Apprise configuration/i.test(output);
  const retryable = exitCode === 1 && !nothingLoaded;
  const why = exitCode === 3 ? 'no service to notify' : nothingLoaded ? 'no usable URLs' : `exit ${exitCode}`;
  return {
    ok: false,
    retryable,
    error: redact(truncate(`Apprise CLI: ${why}${detail ? `: ${detail}` : ''}`, 500), secrets),
  };
}
