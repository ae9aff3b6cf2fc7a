import http, { type IncomingHttpHeaders } from 'http';
import type { AddressInfo } from 'net';

/**
 * Local HTTP stand-ins for the Notifications page tests: a webhook receiver that records every
 * request, and an OpenAI-compatible model server (`GET /v1/models`, `POST /v1/chat/completions`)
 * for the AI rewrite. One server does both; the exporter reaches it on the loopback address.
 */

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface Standins {
  url: string;
  /** Webhook deliveries (everything outside /v1/). */
  hooks: Received[];
  /** Chat requests the model server answered. */
  chats: Received[];
  /** The models the model server lists. */
  models: string[];
  close: () => Promise<void>;
}

/** The marker lines the exporter's prompt puts around the notification (notifications/ai/prompt.ts). */
const between = (text: string, start: string, end: RegExp) => {
  const from = text.indexOf(start);
  if (from < 0) {
    return '';
  }
  const rest = text.slice(from + start.length);
  const stop = rest.search(end);
  return stop < 0 ? rest : rest.slice(0, stop);
};

/** A model that keeps every fact and marks its title, so a test can tell the rewrite from the template. */
function rewrite(body: unknown): string {
  const messages = (body as { messages?: Array<{ role: string; content: string }> }).messages ?? [];
  const user = messages.find((m) => m.role === 'user')?.content ?? '';
  const title = between(user, '--- notification title ---\n', /\n--- notification body ---/);
  const text = between(user, '--- notification body ---\n', /\n--- (fields|end) ---/);
  return `[TITLE]\nRewritten: ${title}\n[BODY]\n${text}`;
}

export async function startStandins(apiKey: string): Promise<Standins> {
  const hooks: Received[] = [];
  const chats: Received[] = [];
  const models = ['gpt-4o-mini', 'proxmon-test-model'];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        // Recorded as text.
      }
      const path = (req.url ?? '').split('?')[0] ?? '';
      const reply = (status: number, data: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(data));
      };
      const rec = { method: req.method ?? '', path, headers: req.headers, body };
      if (!path.startsWith('/v1/')) {
        hooks.push(rec);
        reply(202, { status: 'accepted' });
        return;
      }
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        reply(401, {
          error: {
            message: 'Incorrect API key provided',
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        });
        return;
      }
      if (req.method === 'GET' && path === '/v1/models') {
        reply(200, { object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'test' })) });
        return;
      }
      if (req.method === 'POST' && path === '/v1/chat/completions') {
        chats.push(rec);
        const model = (body as { model?: string }).model ?? '';
        reply(200, {
          id: `chatcmpl-${chats.length}`,
          object: 'chat.completion',
          model,
          choices: [
            { index: 0, message: { role: 'assistant', content: rewrite(body) }, finish_reason: 'stop' },
          ],
        });
        return;
      }
      reply(404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hooks,
    chats,
    models,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Waits until `probe` returns something truthy (polling a real exporter or stand-in). */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) {
      return v as NonNullable<T>;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
