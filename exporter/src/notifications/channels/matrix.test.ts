import { afterEach, describe, expect, it } from 'vitest';
import { USER_AGENT } from './http.js';
import { matrixChannel, matrixContent, MATRIX_CONTENT_MAX_BYTES } from './matrix.js';
import { longBody, sampleMessage, sendOptions, testDeps } from './test-support/channel-test-kit.js';
import { startMatrixStandin, type MatrixStandin } from './test-support/matrix-standin.js';

const TOKEN = 'syt_cHJveG1vbg_secretTokenValue_0123456789';
const ROOM = '!ops123:example.org';

let standin: MatrixStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

async function setup(extra: Record<string, unknown> = {}) {
  standin = await startMatrixStandin({ token: TOKEN, joinedRooms: [ROOM] });
  const config = matrixChannel.config.parse({
    homeserver_url: standin.url,
    access_token: TOKEN,
    room_id: ROOM,
    ...extra,
  });
  return { standin, channel: matrixChannel.create(config, testDeps()) };
}

describe('matrix channel', () => {
  it('PUTs an m.notice with HTML and plain bodies, the key as txnId, the token as Bearer', async () => {
    const { standin, channel } = await setup();
    const message = sampleMessage({ body: 'disk <sda> & "nvme0"\nline 2', url: 'https://pve1:8006/' });
    const result = await channel.send(message, sendOptions(5_000, 'delivery/7'));

    expect(result).toEqual({ ok: true, remoteId: '$event1:standin' });
    const req = standin.requests[0]!;
    expect(req.method).toBe('PUT');
    expect(req.url).toBe('/_matrix/client/v3/rooms/!ops123%3Aexample.org/send/m.room.message/delivery%2F7');
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers['user-agent']).toBe(USER_AGENT);
    expect(JSON.parse(req.body)).toEqual({
      msgtype: 'm.notice',
      format: 'org.matrix.custom.html',
      body:
        '🔴 Backup failed: VM 101 (web01)\n\ndisk <sda> & "nvme0"\nline 2\n\n' +
        'VM: 101 (web01)\nStorage: backup-nfs\n\nHost: pve1\nhttps://pve1:8006/',
      formatted_body:
        '<b>🔴 Backup failed: VM 101 (web01)</b><br><br>disk &lt;sda&gt; &amp; &quot;nvme0&quot;<br>line 2' +
        '<br><br><b>VM:</b> 101 (web01)<br><b>Storage:</b> backup-nfs' +
        '<br><br><i>Host: pve1</i><br><a href="https://pve1:8006/">https://pve1:8006/</a>',
    });
  });

  it('never posts twice for one delivery: a retry reuses the transaction id', async () => {
    const { standin, channel } = await setup({ msgtype: 'm.text' });
    const first = await channel.send(sampleMessage(), sendOptions(5_000, 'delivery-9'));
    const retry = await channel.send(sampleMessage(), sendOptions(5_000, 'delivery-9'));
    expect(first).toEqual({ ok: true, remoteId: '$event1:standin' });
    expect(retry).toEqual(first);
    expect(standin.requests).toHaveLength(2);
    expect(standin.events).toHaveLength(1);
    expect(standin.events[0]?.content).toMatchObject({ msgtype: 'm.text' });
  });

  it('keeps a huge message under the event size limit, with a marker', async () => {
    const { standin, channel } = await setup();
    const message = sampleMessage({ body: longBody(3_000, 100).replace(/x/g, '<') });
    expect(await channel.send(message, sendOptions())).toMatchObject({ ok: true });
    const bytes = Buffer.byteLength(standin.requests[0]!.body, 'utf8');
    expect(bytes).toBeLessThanOrEqual(MATRIX_CONTENT_MAX_BYTES);
    expect(bytes).toBeGreaterThan(MATRIX_CONTENT_MAX_BYTES * 0.8);
    const content = JSON.parse(standin.requests[0]!.body) as { body: string; formatted_body: string };
    expect(content.body).toContain('… (message truncated)');
    expect(content.formatted_body).toContain('… (message truncated)');
    expect(content.body.endsWith('Host: pve1')).toBe(true);
  });

  it('leaves a message that fits untouched', () => {
    const content = matrixContent(sampleMessage({ body: longBody(50) }), 'm.notice');
    expect(content.body).not.toContain('truncated');
  });

  it('honours retry_after_ms on 429 M_LIMIT_EXCEEDED', async () => {
    const { standin, channel } = await setup();
    standin.script.push('rate-limit');
    expect(await channel.send(sampleMessage(), sendOptions())).toEqual({
      ok: false,
      retryable: true,
      retryAfterMs: 2_500,
      error: 'Matrix: HTTP 429: Too many requests: M_LIMIT_EXCEEDED',
    });
  });

  it('prefers the Retry-After header when a newer homeserver sends one', async () => {
    const { standin, channel } = await setup();
    standin.script.push('rate-limit-header');
    expect(await channel.send(sampleMessage(), sendOptions())).toMatchObject({
      retryable: true,
      retryAfterMs: 7_000,
    });
  });

  it('retries a 5xx', async () => {
    const { standin, channel } = await setup();
    standin.script.push('server-error');
    expect(await channel.send(sampleMessage(), sendOptions())).toMatchObject({ ok: false, retryable: true });
  });

  it('does not retry a bad token or a room it is not in, and never shows the token', async () => {
    standin = await startMatrixStandin({ token: 'the-real-token', joinedRooms: [ROOM] });
    const bad = matrixChannel.create(
      matrixChannel.config.parse({ homeserver_url: standin.url, access_token: TOKEN, room_id: ROOM }),
      testDeps(),
    );
    const result = await bad.send(sampleMessage(), sendOptions());
    expect(result).toEqual({
      ok: false,
      retryable: false,
      error: 'Matrix: HTTP 401: Invalid access token passed.: M_UNKNOWN_TOKEN',
    });

    const notJoined = matrixChannel.create(
      matrixChannel.config.parse({
        homeserver_url: standin.url,
        access_token: 'the-real-token',
        room_id: '!other:x',
      }),
      testDeps(),
    );
    const forbidden = await notJoined.send(sampleMessage(), sendOptions());
    expect(forbidden).toMatchObject({ ok: false, retryable: false });
    if (!forbidden.ok) expect(forbidden.error).toContain('M_FORBIDDEN');
  });

  it('does not retry M_TOO_LARGE', async () => {
    const { standin, channel } = await setup();
    standin.script.push('too-large');
    expect(await channel.send(sampleMessage(), sendOptions())).toMatchObject({ ok: false, retryable: false });
  });

  it('aborts a hung homeserver at the deadline, as retryable', async () => {
    const { standin, channel } = await setup();
    standin.script.push('hang');
    const started = Date.now();
    const result = await channel.send(sampleMessage(), sendOptions(200));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toMatchObject({ ok: false, retryable: true });
    if (!result.ok) expect(result.error).toMatch(/aborted/);
  });

  it('redacts the token even when a network error would carry it', async () => {
    const channel = matrixChannel.create(
      matrixChannel.config.parse({
        homeserver_url: 'http://127.0.0.1:9',
        access_token: TOKEN,
        room_id: ROOM,
      }),
      testDeps({
        fetch: (input) =>
          Promise.reject(new Error(`connect failed for ${String(input)} with Bearer ${TOKEN}`)),
      }),
    );
    const result = await channel.send(sampleMessage(), sendOptions());
    expect(result).toMatchObject({ ok: false, retryable: true });
    if (!result.ok) expect(result.error).not.toContain(TOKEN);
  });

  it('rejects room aliases and needs a token; the token is the secret', () => {
    expect(matrixChannel.config.safeParse({ access_token: TOKEN, room_id: '#ops:example.org' }).success).toBe(
      false,
    );
    expect(matrixChannel.config.safeParse({ room_id: ROOM }).success).toBe(false);
    expect(matrixChannel.config.parse({ access_token: TOKEN, room_id: ROOM })).toMatchObject({
      homeserver_url: 'https://matrix.org',
      msgtype: 'm.notice',
    });
    expect(matrixChannel.secretKeys).toEqual(['access_token']);
  });
});
