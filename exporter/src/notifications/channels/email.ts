import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { NodemailerError, Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { z } from 'zod';
import type { Channel, ChannelKind, DeliveryResult } from './channel.js';
import { renderEmail } from './email-format.js';
import { redact } from './http.js';

// Lenient on purpose: `root@localhost` (no dot) is a normal address on a Proxmox host.
const address = z
  .string()
  .trim()
  .regex(/^[^\s@<>",;]+@[^\s@<>",;]+$/, 'must be a plain address like ops@example.org');

const emailConfig = z
  .object({
    host: z.string().trim().min(1),
    /** Defaults by tls_mode: 465 for ssl, 587 for starttls, 25 for none. */
    port: z.number().int().min(1).max(65_535).optional(),
    /** none: plain SMTP; starttls: upgrade required (fails if not offered); ssl: TLS from the first byte. */
    tls_mode: z.enum(['none', 'starttls', 'ssl']).default('starttls'),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    from_address: address,
    from_name: z.string().trim().max(100).optional(),
    to_addresses: z.array(address).min(1).max(50),
    subject_prefix: z.string().max(64).default('[proxmon]'),
    /** PEM of a CA (or the self-signed certificate) to trust for this relay, instead of turning checks off. */
    tls_ca: z.string().optional(),
    tls_reject_unauthorized: z.boolean().default(true),
    /** Name sent with EHLO; nodemailer's default is the machine's hostname. */
    helo_name: z.string().trim().min(1).optional(),
  })
  .superRefine((cfg, ctx) => {
    if ((cfg.username === undefined) !== (cfg.password === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'username and password go together' });
    }
    const problem = cleartextCredentialsProblem(cfg);
    if (problem) ctx.addIssue({ code: 'custom', path: ['tls_mode'], message: problem });
  });

export type EmailConfig = z.output<typeof emailConfig>;

const DEFAULT_PORT = { none: 25, starttls: 587, ssl: 465 } as const;

/** Backstops under the delivery deadline (which aborts through the signal). */
const CONNECT_TIMEOUT_MS = 15_000;
const SOCKET_TIMEOUT_MS = 60_000;

export const emailChannel: ChannelKind<typeof emailConfig> = {
  type: 'email',
  config: emailConfig,
  secretKeys: ['password'],
  create(config, deps): Channel {
    const secrets = credentialForms(config);
    const problem = cleartextCredentialsProblem(config);
    // nodemailer is loaded on the first send: most installations never configure email, and it is
    // one of the larger modules in the exporter's resident memory.
    let transport: Promise<Transporter<SMTPTransport.SentMessageInfo>> | undefined;
    const transporter = () =>
      (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
        nodemailer.createTransport({
          host: config.host,
          port: config.port ?? DEFAULT_PORT[config.tls_mode],
          secure: config.tls_mode === 'ssl',
          requireTLS: config.tls_mode === 'starttls',
          ignoreTLS: config.tls_mode === 'none',
          ...(config.username !== undefined
            ? { auth: { user: config.username, pass: config.password } }
            : {}),
          ...(config.helo_name ? { name: config.helo_name } : {}),
          tls: {
            rejectUnauthorized: config.tls_reject_unauthorized,
            minVersion: 'TLSv1.2',
            ...(config.tls_ca ? { ca: config.tls_ca } : {}),
          },
          connectionTimeout: CONNECT_TIMEOUT_MS,
          greetingTimeout: CONNECT_TIMEOUT_MS,
          socketTimeout: SOCKET_TIMEOUT_MS,
          socketCloseTimeout: 0,
          logger: false,
          disableFileAccess: true,
          disableUrlAccess: true,
        }),
      ));

    return {
      type: 'email',
      async send(message, { signal, idempotencyKey }): Promise<DeliveryResult> {
        if (problem) return { ok: false, retryable: false, error: `Email: ${problem}` };
        const content = renderEmail(message, config.subject_prefix);
        try {
          const info = await (
            await transporter()
          ).sendMail({
            from: config.from_name
              ? { name: config.from_name, address: config.from_address }
              : config.from_address,
            to: config.to_addresses,
            subject: content.subject,
            text: content.text,
            html: content.html,
            // Stable across retries, so a mail that did get through twice threads as one in clients.
            messageId: messageIdFor(idempotencyKey, config.from_address),
            headers: { 'X-Proxmon-Event': message.type, 'X-Proxmon-Severity': message.severity },
            signal,
          });
          if (info.rejected.length > 0) {
            // Some recipients took it; failing would re-send to them. Deliver, and say who missed out.
            deps.logger.warn(
              { channel: 'email', rejected: info.rejected },
              'email delivered, but the server rejected some recipients',
            );
          }
          return { ok: true, remoteId: info.messageId };
        } catch (err) {
          return smtpFailure(err, signal, secrets);
        }
      },
    };
  },
};

/** Credentials may cross the wire in cleartext only to this host itself. */
function cleartextCredentialsProblem(cfg: {
  host: string;
  tls_mode: string;
  username?: string | undefined;
}): string | undefined {
  if (cfg.tls_mode !== 'none' || cfg.username === undefined || isLoopbackHost(cfg.host)) return undefined;
  return `refusing to send SMTP credentials in cleartext to ${cfg.host}; use tls_mode starttls or ssl`;
}

export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h) || h === '0:0:0:0:0:0:0:1';
  return false;
}

function messageIdFor(idempotencyKey: string, from: string): string {
  const domain = from.slice(from.lastIndexOf('@') + 1) || 'proxmon.invalid';
  const id = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
  return `<proxmon.${id}@${domain}>`;
}

/** The password, plus the forms SASL PLAIN/LOGIN put on the wire, in case a server echoes one back. */
function credentialForms(cfg: EmailConfig): string[] {
  if (cfg.password === undefined) return [];
  const user = cfg.username ?? '';
  return [
    cfg.password,
    Buffer.from(cfg.password).toString('base64'),
    Buffer.from(`\u0000${user}\u0000${cfg.password}`).toString('base64'),
  ];
}

const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'ECONFIG', 'ETLS', 'EREQUIRETLS', 'EENVELOPE']);
// Certificate problems come back as socket errors; they are configuration, not weather.
const CERT_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|UNABLE_TO_GET_ISSUER/i;

function smtpFailure(err: unknown, signal: AbortSignal, secrets: readonly string[]): DeliveryResult {
  const e = (err instanceof Error ? err : new Error(String(err))) as NodemailerError;
  if (signal.aborted || e.code === 'EABORT') {
    return { ok: false, retryable: true, error: 'Email: aborted (deadline passed)' };
  }
  let retryable: boolean;
  if (typeof e.responseCode === 'number') {
    // The server answered: 5xx (but 503) is final, 4xx is "try later" (RFC 5321).
    retryable = e.permanent !== undefined ? !e.permanent : e.responseCode < 500 || e.responseCode === 503;
  } else {
    retryable =
      !PERMANENT_CODES.has(e.code ?? '') && !CERT_ERROR.test(`${e.originalCode ?? ''} ${e.message}`);
  }
  const code = e.code ? ` [${e.code}]` : '';
  const rejected = e.rejected && e.rejected.length > 0 ? ` (rejected: ${e.rejected.join(', ')})` : '';
  return {
    ok: false,
    retryable,
    error: redact(`Email: ${e.message.replace(/\s+/g, ' ').trim()}${code}${rejected}`, secrets),
  };
}
