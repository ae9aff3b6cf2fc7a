import { Agent, type AgentOptions } from 'node:https';
import { connect, type ConnectionOptions } from 'node:tls';
import type { Duplex } from 'node:stream';

/** "AA:BB:..." (as the PVE GUI shows it), any case, colons optional → 64 upper-case hex digits. */
export function normalizeFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/:/g, '').trim().toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) throw new Error('PVE TLS fingerprint must be a SHA-256 in hex (32 bytes)');
  return hex;
}

/**
 * A keep-alive agent that trusts exactly one server certificate, by its SHA-256. PVE's default
 * certificate is self-signed, so chain verification would fail before `checkServerIdentity` ever ran;
 * instead the pin is the trust anchor, checked when the handshake ends and before the request (and
 * its token) is handed the socket.
 */
export class PinnedAgent extends Agent {
  readonly #pin: string;

  constructor(fingerprint: string, options: AgentOptions) {
    // No session resumption: every new connection presents its certificate for the check.
    super({ ...options, rejectUnauthorized: false, maxCachedSessions: 0 });
    this.#pin = normalizeFingerprint(fingerprint);
  }

  override createConnection(
    options: ConnectionOptions,
    callback?: (err: Error | null, socket: Duplex) => void,
  ): Duplex {
    const socket = connect(options);
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      socket.off('error', finish);
      if (err) socket.destroy();
      callback?.(err, socket);
    };
    socket.once('error', finish);
    socket.once('secureConnect', () => {
      const got = (socket.getPeerCertificate().fingerprint256 ?? '').replace(/:/g, '').toUpperCase();
      finish(
        got === this.#pin
          ? null
          : new Error(`TLS certificate fingerprint mismatch (server presented ${got || 'none'})`),
      );
    });
    // Returning nothing makes the agent wait for the callback; the cast satisfies the base signature.
    return undefined as unknown as Duplex;
  }
}
