import { SECRET_MASK, type ChannelType, type ChannelView } from './api';
import { checkEmail, checkHttpUrl, checkInt, splitList } from './validate';

/**
 * The form of each channel type, after the config schemas in exporter/src/notifications/channels/*.ts.
 * `secret` fields are the type's `secretKeys`: write-only, shown as "configured" and sent only when
 * the admin typed a new value. Keys not listed here (e.g. per-severity priorities set in YAML) are
 * kept as they are on save.
 */
export type FieldKind =
  | 'text'
  | 'url'
  | 'secret'
  | 'number'
  | 'bool'
  | 'select'
  /** Several values, one per line or separated by commas; sent as an array. */
  | 'list'
  | 'textarea'
  /** `Name: value` per line; sent as an object. */
  | 'headers';

export interface FieldDef {
  key: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
  description?: string;
  placeholder?: string;
  options?: readonly string[];
  min?: number;
  max?: number;
  /** More checks on a non-empty value (for secrets: on a newly typed one). */
  check?: (v: string) => string | undefined;
  /** Initial value of a new channel. */
  initial?: string | boolean;
}

const pattern =
  (re: RegExp, message: string) =>
  (v: string): string | undefined =>
    re.test(v.trim()) ? undefined : message;

const key30 = (what: string) => pattern(/^[A-Za-z0-9]{30}$/, `Must be the 30-character ${what}`);

export const CHANNEL_FIELDS: Record<ChannelType, FieldDef[]> = {
  telegram: [
    {
      key: 'bot_token',
      label: 'Bot token',
      kind: 'secret',
      required: true,
      description: 'From @BotFather',
      check: pattern(/^\d+:[\w-]+$/, 'Must look like 123456:ABC-DEF'),
    },
    {
      key: 'chat_id',
      label: 'Chat ID',
      kind: 'text',
      required: true,
      description: 'Numeric id (-100… for groups and channels) or @channelusername',
    },
    { key: 'topic_id', label: 'Topic ID', kind: 'number', min: 1, max: Number.MAX_SAFE_INTEGER },
    { key: 'api_url', label: 'API URL', kind: 'url', placeholder: 'https://api.telegram.org' },
  ],
  discord: [
    {
      key: 'webhook_url',
      label: 'Webhook URL',
      kind: 'secret',
      required: true,
      check: (v) =>
        checkHttpUrl(v) ??
        (/\/webhooks\/\d+\/[\w-]+\/?$/.test(new URL(v.trim()).pathname)
          ? undefined
          : 'Must be a Discord webhook URL (…/api/webhooks/<id>/<token>)'),
    },
    { key: 'username', label: 'User name', kind: 'text' },
    { key: 'avatar_url', label: 'Avatar URL', kind: 'url' },
    { key: 'thread_id', label: 'Thread ID', kind: 'text', check: pattern(/^\d+$/, 'Digits only') },
  ],
  email: [
    { key: 'host', label: 'SMTP host', kind: 'text', required: true },
    {
      key: 'port',
      label: 'Port',
      kind: 'number',
      min: 1,
      max: 65_535,
      description: 'Default: 465 for ssl, 587 for starttls, 25 for none',
    },
    {
      key: 'tls_mode',
      label: 'TLS',
      kind: 'select',
      options: ['starttls', 'ssl', 'none'],
      initial: 'starttls',
    },
    { key: 'username', label: 'User name', kind: 'text' },
    { key: 'password', label: 'Password', kind: 'secret' },
    { key: 'from_address', label: 'From address', kind: 'text', required: true, check: checkEmail },
    { key: 'from_name', label: 'From name', kind: 'text' },
    {
      key: 'to_addresses',
      label: 'To addresses',
      kind: 'list',
      required: true,
      description: 'One per line or separated by commas',
      check: (v) => splitList(v).map(checkEmail).find(Boolean),
    },
    { key: 'subject_prefix', label: 'Subject prefix', kind: 'text', placeholder: '[proxmon]' },
    { key: 'tls_ca', label: 'CA certificate (PEM)', kind: 'textarea' },
    { key: 'tls_reject_unauthorized', label: 'Verify the server certificate', kind: 'bool', initial: true },
    { key: 'helo_name', label: 'HELO name', kind: 'text' },
  ],
  gotify: [
    { key: 'url', label: 'Server URL', kind: 'url', required: true },
    { key: 'token', label: 'Application token', kind: 'secret', required: true },
    { key: 'markdown', label: 'Markdown', kind: 'bool', initial: false },
  ],
  apprise: [
    {
      key: 'mode',
      label: 'Mode',
      kind: 'select',
      options: ['api', 'cli'],
      description: 'Default: api when an API URL is set, else cli',
    },
    { key: 'api_url', label: 'Apprise API URL', kind: 'url', placeholder: 'http://apprise:8000' },
    {
      key: 'key',
      label: 'Configuration key',
      kind: 'secret',
      check: pattern(/^[\w-]{1,128}$/, 'Must be 1-128 letters, digits, _ or -'),
    },
    {
      key: 'urls',
      label: 'Apprise URLs',
      kind: 'secret',
      description: 'tgram://…, mailto://…, separated by commas or spaces',
    },
    { key: 'tag', label: 'Tag', kind: 'text' },
    { key: 'timeout_seconds', label: 'Timeout (s)', kind: 'number', min: 1, max: 300, placeholder: '30' },
  ],
  ntfy: [
    { key: 'url', label: 'Server URL', kind: 'url', placeholder: 'https://ntfy.sh' },
    {
      key: 'topic',
      label: 'Topic',
      kind: 'secret',
      required: true,
      description: 'On a public server the topic name is the only guard: it is kept secret',
      check: pattern(/^[\w-]{1,64}$/, 'Must be 1-64 letters, digits, _ or -'),
    },
    { key: 'token', label: 'Access token', kind: 'secret' },
    { key: 'username', label: 'User name', kind: 'text' },
    { key: 'password', label: 'Password', kind: 'secret' },
    { key: 'tags', label: 'Tags', kind: 'list', description: 'Up to 10, separated by commas' },
    { key: 'markdown', label: 'Markdown', kind: 'bool', initial: false },
  ],
  slack: [
    {
      key: 'webhook_url',
      label: 'Incoming webhook URL',
      kind: 'secret',
      required: true,
      check: checkHttpUrl,
    },
  ],
  matrix: [
    { key: 'homeserver_url', label: 'Homeserver URL', kind: 'url', placeholder: 'https://matrix.org' },
    { key: 'access_token', label: 'Access token', kind: 'secret', required: true },
    {
      key: 'room_id',
      label: 'Room ID',
      kind: 'text',
      required: true,
      check: pattern(/^![^\s/]+$/, 'Must be a room id like !abc123:example.org (not a #alias)'),
    },
    {
      key: 'msgtype',
      label: 'Message type',
      kind: 'select',
      options: ['m.notice', 'm.text'],
      initial: 'm.notice',
    },
  ],
  pushover: [
    { key: 'api_url', label: 'API URL', kind: 'url', placeholder: 'https://api.pushover.net' },
    {
      key: 'token',
      label: 'Application token',
      kind: 'secret',
      required: true,
      check: key30('application API token'),
    },
    {
      key: 'user_key',
      label: 'User or group key',
      kind: 'secret',
      required: true,
      check: key30('user or group key'),
    },
    {
      key: 'device',
      label: 'Devices',
      kind: 'text',
      check: pattern(/^[A-Za-z0-9_-]{1,25}(,[A-Za-z0-9_-]{1,25})*$/, 'Device names separated by commas'),
    },
    { key: 'sound', label: 'Sound', kind: 'text' },
    { key: 'emergency_retry_seconds', label: 'Emergency retry (s)', kind: 'number', min: 30, max: 10_800 },
    { key: 'emergency_expire_seconds', label: 'Emergency expiry (s)', kind: 'number', min: 30, max: 10_800 },
  ],
  webhook: [
    {
      key: 'url',
      label: 'URL',
      kind: 'secret',
      required: true,
      description: 'It may carry a credential in its path or query, so it is kept secret',
      check: checkHttpUrl,
    },
    {
      key: 'headers',
      label: 'Extra headers',
      kind: 'headers',
      description: 'One `Name: value` per line (not secret: use the bearer token for a credential)',
    },
    { key: 'bearer_token', label: 'Bearer token', kind: 'secret' },
    {
      key: 'secret',
      label: 'Signing secret',
      kind: 'secret',
      description: 'HMAC-SHA256 key; the signature goes in the signature header',
      check: (v) => (v.length < 16 ? 'Use at least 16 characters' : undefined),
    },
    {
      key: 'signature_header',
      label: 'Signature header',
      kind: 'text',
      placeholder: 'X-Proxmon-Signature-256',
    },
  ],
};

export const CHANNEL_LABELS: Record<ChannelType, string> = {
  telegram: 'Telegram',
  discord: 'Discord',
  email: 'Email',
  gotify: 'Gotify',
  apprise: 'Apprise',
  ntfy: 'ntfy',
  slack: 'Slack',
  matrix: 'Matrix',
  pushover: 'Pushover',
  webhook: 'Webhook',
};

export interface SecretState {
  /** What the admin typed; sent only when `changed`. */
  value: string;
  /** The exporter holds a value (it never sends it back). */
  configured: boolean;
  changed: boolean;
}

export interface ConfigForm {
  values: Record<string, string | boolean>;
  secrets: Record<string, SecretState>;
}

const HEADER_LINE = /^([^:\s]+)\s*:\s*(.*)$/;

function toText(v: unknown, kind: FieldKind): string | boolean {
  if (kind === 'bool') {
    return v === true;
  }
  if (v === undefined || v === null) {
    return '';
  }
  if (kind === 'list' && Array.isArray(v)) {
    return v.map(String).join('\n');
  }
  if (kind === 'headers' && typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}: ${String(x)}`)
      .join('\n');
  }
  return String(v);
}

/** The form of a new channel of `type`, or of an existing one (secrets only as configured or not). */
export function formFor(type: ChannelType, view?: ChannelView): ConfigForm {
  const values: ConfigForm['values'] = {};
  const secrets: ConfigForm['secrets'] = {};
  for (const f of CHANNEL_FIELDS[type]) {
    if (f.kind === 'secret') {
      secrets[f.key] = { value: '', configured: view?.secrets[f.key] === true, changed: false };
    } else {
      values[f.key] = view
        ? toText(view.config[f.key], f.kind)
        : (f.initial ?? (f.kind === 'bool' ? false : ''));
    }
  }
  return { values, secrets };
}

/** Field errors of the form, by key; empty when it may be sent. */
export function validateConfig(type: ChannelType, form: ConfigForm): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const f of CHANNEL_FIELDS[type]) {
    if (f.kind === 'bool') {
      continue;
    }
    if (f.kind === 'secret') {
      const s = form.secrets[f.key] ?? { value: '', configured: false, changed: false };
      const typed = s.changed ? s.value.trim() : '';
      if (typed === '') {
        if (f.required && !s.configured) {
          errors[f.key] = `${f.label} is required`;
        }
        continue;
      }
      const e = f.check?.(typed);
      if (e) {
        errors[f.key] = e;
      }
      continue;
    }
    const v = String(form.values[f.key] ?? '').trim();
    if (v === '') {
      if (f.required) {
        errors[f.key] = `${f.label} is required`;
      }
      continue;
    }
    const e =
      (f.kind === 'url' ? checkHttpUrl(v) : undefined) ??
      (f.kind === 'number' ? checkInt(v, f.min ?? 0, f.max ?? Number.MAX_SAFE_INTEGER) : undefined) ??
      (f.kind === 'headers'
        ? v
            .split('\n')
            .filter((l) => l.trim() !== '')
            .map((l) => (HEADER_LINE.test(l.trim()) ? undefined : `"${l.trim()}": use Name: value`))
            .find(Boolean)
        : undefined) ??
      f.check?.(v);
    if (e) {
      errors[f.key] = e;
    }
  }
  return errors;
}

/**
 * The `config` to send: the fields of the form, empty ones left out; secrets only when newly typed
 * (left out, the exporter keeps the stored value); keys the form does not show kept from `previous`.
 */
export function configFromForm(
  type: ChannelType,
  form: ConfigForm,
  previous?: ChannelView,
): Record<string, unknown> {
  const shown = new Set(CHANNEL_FIELDS[type].map((f) => f.key));
  const config: Record<string, unknown> = {};
  if (previous && previous.type === type) {
    for (const [k, v] of Object.entries(previous.config)) {
      if (!shown.has(k) && !(k in previous.secrets) && v !== SECRET_MASK) {
        config[k] = v;
      }
    }
  }
  for (const f of CHANNEL_FIELDS[type]) {
    if (f.kind === 'secret') {
      const s = form.secrets[f.key];
      if (s?.changed && s.value.trim() !== '') {
        config[f.key] = s.value.trim();
      }
      continue;
    }
    const raw = form.values[f.key];
    if (f.kind === 'bool') {
      config[f.key] = raw === true;
      continue;
    }
    const v = String(raw ?? '').trim();
    if (v === '') {
      continue;
    }
    if (f.kind === 'number') {
      config[f.key] = Number(v);
    } else if (f.kind === 'list') {
      config[f.key] = splitList(v);
    } else if (f.kind === 'headers') {
      config[f.key] = Object.fromEntries(
        v
          .split('\n')
          .map((l) => HEADER_LINE.exec(l.trim()))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => [m[1], m[2]]),
      );
    } else {
      config[f.key] = v;
    }
  }
  return config;
}

/**
 * Where an exporter validation message belongs: `config.url: must be …` → the `url` field,
 * `name: …` → the name. Undefined when it names no field of the form.
 */
export function fieldOfError(message: string): { field: string; message: string } | undefined {
  const m = /^(config\.)?([a-z_]+)(?:\.[\w.-]*)?:\s*(.*)$/s.exec(message);
  if (!m) {
    return undefined;
  }
  return { field: m[1] ? `config.${m[2]}` : m[2]!, message: m[3] ?? message };
}
