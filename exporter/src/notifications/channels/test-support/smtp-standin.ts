import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** One message the SMTP server accepted. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  secure: boolean;
  user?: string;
}

export interface SmtpStandin {
  port: number;
  received: ReceivedMail[];
  close(): Promise<void>;
}

export interface SmtpStandinOptions {
  /** Implicit TLS from the first byte (the `ssl` mode). */
  secure?: boolean;
  /** PEM key and certificate; without them STARTTLS is not offered. */
  tls?: { key: string; cert: string };
  /** Accepted credentials; without them AUTH is optional. */
  credentials?: { user: string; pass: string };
  allowInsecureAuth?: boolean;
  /** Recipients answered with 550 at RCPT TO. */
  rejectRecipients?: string[];
  /** Reply to DATA with this temporary failure instead of accepting (e.g. 451). */
  tempFailData?: boolean;
}

/**
 * A real SMTP server (the smtp-server package) on 127.0.0.1, recording what it accepts. Errors carry
 * `responseCode` the way smtp-server turns them into SMTP replies.
 */
export async function startSmtpStandin(options: SmtpStandinOptions = {}): Promise<SmtpStandin> {
  const received: ReceivedMail[] = [];
  const creds = options.credentials;
  const serverOptions: SMTPServerOptions = {
    secure: options.secure ?? false,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    hideSTARTTLS: options.secure === true,
    authOptional: !creds,
    allowInsecureAuth: options.allowInsecureAuth ?? false,
    // Without a certificate, STARTTLS is not merely unadvertised but refused (smtp-server would
    // otherwise answer it with its built-in certificate).
    disabledCommands: [...(creds ? [] : ['AUTH']), ...(options.tls ? [] : ['STARTTLS'])],
    logger: false,
    onAuth(auth, _session, callback) {
      if (creds && auth.username === creds.user && auth.password === creds.pass) {
        return callback(null, { user: auth.username });
      }
      return callback(smtpError('Invalid username or password', 535));
    },
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipients?.includes(address.address)) {
        return callback(smtpError(`<${address.address}>: Recipient address rejected: User unknown`, 550));
      }
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (options.tempFailData)
          return callback(smtpError('Requested action aborted: try again later', 451));
        const mailFrom = session.envelope.mailFrom;
        received.push({
          from: mailFrom ? mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          ...(typeof session.user === 'string' ? { user: session.user } : {}),
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A TCP server that accepts and never greets: an SMTP relay that hangs. */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A throwaway self-signed certificate for localhost and 127.0.0.1, made with the openssl CLI. */
export function makeSelfSignedCert(dir: string): { key: string; cert: string } {
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}
