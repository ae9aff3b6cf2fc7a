import { readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Exec } from '../exec.js';
import { readText } from '../read.js';
import type { SourceContext } from '../source.js';
import { createUpsSource, upsLabel, type UpsSnapshot } from './index.js';

const fixture = (file: string) => readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');

function context(signal = new AbortController().signal): SourceContext {
  const exec: Exec = () => Promise.reject(new Error('the ups source must not run tools'));
  return {
    paths: { procfs: '/nonexistent', sysfs: '/nonexistent', rootfs: '/' },
    exec,
    readText,
    signal,
    now: () => 0,
    logger: pino({ level: 'silent' }),
  };
}

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A scripted upsd: answers each command line with `reply(line)` (undefined: stay silent). */
async function fakeUpsd(
  reply: (line: string) => string | undefined,
): Promise<{ port: number; heard: string[] }> {
  const heard: string[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    let buffer = '';
    socket.on('data', (d) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        heard.push(line);
        if (line === 'LOGOUT') {
          socket.end('OK Goodbye\n');
          continue;
        }
        const out = reply(line);
        if (out !== undefined) socket.write(out);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, heard };
}

/** Replays the recorded upsd replies for es750 and cp900, and a stale smartups. */
const recordedUpsd = (line: string) =>
  ({
    'LIST UPS': 'BEGIN LIST UPS\nUPS es750 "back room"\nUPS smartups ""\nUPS cp900 ""\nEND LIST UPS\n',
    'LIST VAR es750': fixture('nut-list-var-es750.txt'),
    'LIST VAR smartups': fixture('nut-err-data-stale.txt'),
    'LIST VAR cp900': fixture('nut-list-var-cp900.txt'),
  })[line] ?? 'ERR UNKNOWN-COMMAND\n';

async function refusedPort(): Promise<number> {
  const { port } = await fakeUpsd(() => undefined);
  await new Promise((r) => servers.pop()?.close(r));
  return port;
}

function snapshotOf(r: Awaited<ReturnType<ReturnType<typeof createUpsSource>['collect']>>): UpsSnapshot {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('ups source collect()', () => {
  it('lists every UPS of a server and reads each; a stale one only reports itself down', async () => {
    const { port, heard } = await fakeUpsd(recordedUpsd);
    const source = createUpsSource({ servers: [{ host: '127.0.0.1', port }] });
    expect([source.name, source.intervalSeconds, source.timeoutSeconds]).toEqual(['ups', 10, 5]);
    const snap = snapshotOf(await source.collect(context()));
    expect(snap.servers).toEqual([{ server: `127.0.0.1:${port}`, up: true }]);
    expect(snap.upses.map((u) => [u.ups, u.up, u.status, u.error])).toEqual([
      ['es750', true, ['OL', 'CHRG', 'LB'], undefined],
      ['smartups', false, undefined, 'ERR DATA-STALE'],
      ['cp900', true, ['OL'], undefined],
    ]);
    expect(snap.upses[0]).toMatchObject({
      name: 'es750',
      description: 'back room',
      batteryChargeRatio: 0.35,
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toEqual(['LIST UPS', 'LIST VAR es750', 'LIST VAR smartups', 'LIST VAR cp900', 'LOGOUT']);
  });

  it('logs in with quoted credentials first, and fails on ERR', async () => {
    const good = await fakeUpsd((l) =>
      l.startsWith('LIST UPS') ? 'BEGIN LIST UPS\nEND LIST UPS\n' : 'OK\n',
    );
    const r = await createUpsSource({
      servers: [{ host: '127.0.0.1', port: good.port, username: 'mon user', password: 'p"w\\d' }],
    }).collect(context());
    expect(snapshotOf(r).upses).toEqual([]);
    expect(good.heard.slice(0, 2)).toEqual(['USERNAME "mon user"', 'PASSWORD "p\\"w\\\\d"']);

    const denied = await fakeUpsd((l) => (l.startsWith('PASSWORD') ? 'ERR ACCESS-DENIED\n' : 'OK\n'));
    expect(
      await createUpsSource({
        servers: [{ host: '127.0.0.1', port: denied.port, username: 'u', password: 'x' }],
      }).collect(context()),
    ).toEqual({
      ok: false,
      error: { kind: 'exit', message: `nut 127.0.0.1:${denied.port}: PASSWORD: ERR ACCESS-DENIED` },
    });
  });

  it('is an error when a configured server refuses, hangs, or talks nonsense', async () => {
    const refused = await refusedPort();
    expect(
      await createUpsSource({ servers: [{ host: '127.0.0.1', port: refused }] }).collect(context()),
    ).toEqual({
      ok: false,
      error: { kind: 'io', message: `nut 127.0.0.1:${refused}: connection refused` },
    });

    const silent = await fakeUpsd(() => undefined);
    const t0 = performance.now();
    const hung = await createUpsSource({
      servers: [{ host: '127.0.0.1', port: silent.port }],
      serverTimeoutMs: 300,
    }).collect(context());
    expect(hung).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(performance.now() - t0).toBeLessThan(2000);

    const nonsense = await fakeUpsd(() => 'HELLO THERE\n');
    expect(
      await createUpsSource({ servers: [{ host: '127.0.0.1', port: nonsense.port }] }).collect(context()),
    ).toMatchObject({ ok: false, error: { kind: 'parse' } });

    const denied = await fakeUpsd(() => 'ERR ACCESS-DENIED\n');
    expect(
      await createUpsSource({ servers: [{ host: '127.0.0.1', port: denied.port }] }).collect(context()),
    ).toEqual({
      ok: false,
      error: { kind: 'exit', message: `nut 127.0.0.1:${denied.port}: LIST UPS: ERR ACCESS-DENIED` },
    });
  });

  it('keeps the servers that answered when another fails, and says which failed', async () => {
    const { port } = await fakeUpsd(recordedUpsd);
    const refused = await refusedPort();
    const snap = snapshotOf(
      await createUpsSource({
        servers: [
          { host: '127.0.0.1', port },
          { host: 'localhost', port: refused },
        ],
      }).collect(context()),
    );
    expect(snap.servers).toEqual([
      { server: `127.0.0.1:${port}`, up: true },
      { server: `localhost:${refused}`, up: false, error: `nut localhost:${refused}: connection refused` },
    ]);
    expect(snap.upses).toHaveLength(3);
  });

  it('labels UPSes of two local servers apart', async () => {
    const a = await fakeUpsd(recordedUpsd);
    const b = await fakeUpsd(recordedUpsd);
    const snap = snapshotOf(
      await createUpsSource({
        servers: [
          { host: '127.0.0.1', port: a.port },
          { host: '127.0.0.1', port: b.port },
        ],
      }).collect(context()),
    );
    expect(snap.upses.map((u) => u.ups)).toEqual([
      'es750',
      'smartups',
      'cp900',
      `es750@127.0.0.1:${b.port}`,
      `smartups@127.0.0.1:${b.port}`,
      `cp900@127.0.0.1:${b.port}`,
    ]);
  });

  it('stops at the source deadline', async () => {
    const silent = await fakeUpsd(() => undefined);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const r = await createUpsSource({ servers: [{ host: '127.0.0.1', port: silent.port }] }).collect(
      context(abort.signal),
    );
    expect(r).toEqual({
      ok: false,
      error: { kind: 'timeout', message: `nut 127.0.0.1:${silent.port}: aborted` },
    });
  });

  it('is absent when nothing listens on the default 127.0.0.1:3493', async () => {
    const listening = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: 3493 });
      s.on('connect', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (listening) return; // a real upsd on this machine: nothing to assert here
    expect(await createUpsSource().collect(context())).toEqual({
      ok: false,
      error: { kind: 'absent', message: 'ups: nut 127.0.0.1:3493: connection refused (no NUT here)' },
    });
  });
});

describe('upsLabel', () => {
  it.each([
    ['ups', '127.0.0.1', 3493, 'ups'],
    ['ups', 'localhost', 13493, 'ups'],
    ['ups', '::1', 3493, 'ups'],
    ['rack1', 'nas.lan', 3493, 'rack1@nas.lan'],
    ['rack1', '10.0.0.5', 3494, 'rack1@10.0.0.5:3494'],
    ['rack1', 'fd00::5', 3494, 'rack1@[fd00::5]:3494'],
  ])('%s on %s:%d → %s', (name, host, port, label) => {
    expect(upsLabel(name, host, port)).toBe(label);
  });
});
