import { api } from '../../api/client';

// The exporter's /api/notifications answers (exporter/src/http/notifications.ts and notifications-ai.ts).

export type NotifySeverity = 'OK' | 'INFO' | 'WARNING' | 'CRITICAL';
export type MinSeverity = 'INFO' | 'WARNING' | 'CRITICAL';
export type AiDetail = 'brief' | 'standard' | 'detailed';

export const CHANNEL_TYPES = [
  'telegram',
  'discord',
  'email',
  'gotify',
  'apprise',
  'ntfy',
  'slack',
  'matrix',
  'pushover',
  'webhook',
] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** A channel's policy: what it sends besides where (settings.ts channelPolicySchema). */
export interface ChannelPolicy {
  enabled: boolean;
  /** Per group: false mutes the group on this channel. */
  groups: Record<string, boolean>;
  /** Per event type: overrides the catalogue default. */
  events: Record<string, boolean>;
  min_severity: MinSeverity;
  quiet_hours?: { start: string; end: string };
  digest?: { time: string };
  ai: { enabled: boolean; detail: AiDetail; language: string };
}

/** A channel as the API shows it: secrets in `config` are the mask, `secrets` says which are set. */
export interface ChannelView extends ChannelPolicy {
  name: string;
  type: ChannelType;
  config: Record<string, unknown>;
  secrets: Record<string, boolean>;
  source: 'api' | 'config';
  updated_at: string | null;
}

/** What POST /channels and PUT /channels/:name take. */
export interface ChannelSpec extends ChannelPolicy {
  name: string;
  type: ChannelType;
  config: Record<string, unknown>;
}

/** The value the exporter shows for a set secret; sent back, it keeps the stored one. */
export const SECRET_MASK = '********';

export interface CatalogueEvent {
  type: string;
  group: string;
  label: string;
  default_enabled: boolean;
  severity: NotifySeverity;
  emitter: string | null;
  not_applicable: string | null;
}
export interface Catalogue {
  groups: string[];
  events: CatalogueEvent[];
}

export interface NotifySettings {
  enabled: boolean;
  hostname?: string;
  timezone?: string;
  cooldown: {
    default_seconds: number;
    by_group: Record<string, number>;
    by_type: Record<string, number>;
  };
  rate_limits: Record<string, { per_minute: number; per_hour: number }>;
  retention_days: number;
  max_attempts: number;
}

export interface TestResult {
  channel: string;
  ok: boolean;
  error: string | null;
}

export interface HistoryEntry {
  id: number;
  delivery: number;
  channel: string;
  event_type: string;
  severity: string;
  title: string;
  body: string;
  original_title: string | null;
  original_body: string | null;
  ai_rewritten: boolean;
  attempt: number;
  at: string;
  success: boolean;
  error: string | null;
}
export interface HistoryPage {
  entries: HistoryEntry[];
  /** The `before` cursor of the next (older) page; null on the last one. */
  next_before: number | null;
}
export interface HistoryQuery {
  channel?: string;
  event_type?: string;
  success?: 'true' | 'false';
  before?: number;
  limit: number;
}

export interface DeadLetter {
  id: number;
  channel: string;
  event_type: string;
  title: string;
  attempts: number;
  last_error: string | null;
  created_at: string | null;
  finished_at: string | null;
}

export const AI_PROVIDERS = ['openai', 'anthropic', 'gemini', 'groq', 'ollama', 'openrouter'] as const;
export type AiProvider = (typeof AI_PROVIDERS)[number];

/** Where each provider answers when no base URL is set (DEFAULT_BASE_URLS in exporter/src/notifications/ai/config.ts). */
export const AI_DEFAULT_BASE_URLS: Record<AiProvider, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
  groq: 'https://api.groq.com/openai/v1',
  ollama: 'http://localhost:11434',
  openrouter: 'https://openrouter.ai/api/v1',
};

export interface AiChannelChoice {
  name: string;
  type: string;
  enabled: boolean;
  language: string;
  detail: AiDetail;
}

export interface AiView {
  configured: boolean;
  source: 'api' | 'config' | null;
  enabled: boolean;
  provider: AiProvider | null;
  model: string | null;
  base_url: string | null;
  default_base_url: string | null;
  language: string;
  detail: AiDetail;
  temperature: number;
  api_key_set: boolean;
  updated_at: string | null;
  channels: AiChannelChoice[];
  providers: AiProvider[];
  /** Language code → name. */
  languages: Record<string, string>;
}

export interface AiPut {
  enabled: boolean;
  provider: AiProvider;
  model?: string | null;
  base_url?: string | null;
  /** Write-only: sent only when the admin typed a new one. */
  api_key?: string;
  language: string;
  detail: AiDetail;
  channels?: Record<string, { enabled?: boolean; language?: string; detail?: AiDetail }>;
}

export interface AiTestBody {
  provider?: AiProvider;
  model?: string;
  base_url?: string;
  api_key?: string;
  language?: string;
  detail?: AiDetail;
}

export interface AiTestResult {
  ok: true;
  provider: string;
  model: string;
  language: string;
  detail: string;
  latency_ms: number;
  template: { title: string; body: string };
  rewritten: { title: string; body: string };
}

const N = 'notifications';
const enc = encodeURIComponent;

export const getChannels = () => api<{ channels: ChannelView[] }>(`${N}/channels`);
export const getChannel = (name: string) => api<ChannelView>(`${N}/channels/${enc(name)}`);
export const createChannel = (spec: ChannelSpec) =>
  api<ChannelView>(`${N}/channels`, { method: 'POST', data: spec });
export const replaceChannel = (name: string, spec: Omit<ChannelSpec, 'name'>) =>
  api<ChannelView>(`${N}/channels/${enc(name)}`, { method: 'PUT', data: spec });
export const deleteChannel = (name: string) =>
  api<{ ok: true }>(`${N}/channels/${enc(name)}`, { method: 'DELETE' });
/** `channel`: a channel name, or `all`. */
export const testChannel = (channel: string) =>
  api<{ results: TestResult[] }>(`${N}/test`, { method: 'POST', data: { channel } });

export const getCatalogue = () => api<Catalogue>(`${N}/catalogue`);
export const getSettings = () => api<NotifySettings>(`${N}/settings`);
export const putSettings = (patch: Partial<NotifySettings>) =>
  api<NotifySettings>(`${N}/settings`, { method: 'PUT', data: patch });

export const getHistory = (q: HistoryQuery) => api<HistoryPage>(`${N}/history`, { query: { ...q } });
export const getDeadLetters = () => api<{ dead_letters: DeadLetter[] }>(`${N}/dead-letters`);
export const retryDeadLetter = (id: number) =>
  api<{ ok: true }>(`${N}/dead-letters/${id}/retry`, { method: 'POST' });

export const getAi = () => api<AiView>(`${N}/ai`);
export const putAi = (body: AiPut) => api<AiView>(`${N}/ai`, { method: 'PUT', data: body });
export const getAiModels = (q: { provider?: AiProvider; base_url?: string }) =>
  api<{ provider: string; base_url: string; models: string[] }>(`${N}/ai/models`, { query: { ...q } });
export const testAi = (body: AiTestBody) => api<AiTestResult>(`${N}/ai/test`, { method: 'POST', data: body });

/**
 * The spec to PUT back for a policy change: the view without what the API adds (name, secrets,
 * source, updated_at) and with every secret left out of `config`, so the exporter keeps the stored ones.
 */
export function specForPut(
  view: ChannelView,
  policy: Partial<ChannelPolicy> = {},
): Omit<ChannelSpec, 'name'> {
  const config = Object.fromEntries(
    Object.entries(view.config).filter(([k, v]) => !(k in view.secrets) && v !== SECRET_MASK),
  );
  const merged: ChannelPolicy = {
    enabled: view.enabled,
    groups: view.groups,
    events: view.events,
    min_severity: view.min_severity,
    ai: view.ai,
    ...(view.quiet_hours ? { quiet_hours: view.quiet_hours } : {}),
    ...(view.digest ? { digest: view.digest } : {}),
    ...policy,
  };
  // `undefined` in the patch means "remove": JSON leaves the key out and the PUT replaces the whole spec.
  return { type: view.type, ...merged, config };
}
