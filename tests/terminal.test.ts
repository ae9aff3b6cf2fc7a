import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { fakeBin, startCli, tempDir } from './support.js';

const ADMIN = { username: 'admin', password: 'correct horse battery staple' };

const alive = (pid: number) => {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A WebSocket terminal client that collects output and resolves a pattern once it shows up. */
function terminal(url: string, ticket: string) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/terminal/ws`, [`proxmon.ticket.${ticket}`]);
  let out = '';
  ws.on('message', (d: Buffer, binary) => {
    if (binary) out += d.toString();
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const waitFor = async (re: RegExp) => {
    await until(() => re.test(out));
    return out.match(re)!;
  };
  const type = (s: string) => ws.send(Buffer.from(s), { binary: true });
  return { ws, opened, closed, waitFor, type };
}

describe('proxmon serve: web terminal', () => {
  it('hands a ticket to an admin only, runs a real shell over the socket, and leaves no process behind', async () => {
    const dir = tempDir('terminal');
    const config = join(dir, 'proxmon.yaml');
    writeFileSync(
      config,
      [
        'terminal:',
        '  shell: [bash, --noprofile, --norc]',
        '  idle_timeout_seconds: 60',
        `tools: { pct: ${join(fakeBin, 'pct-enter-sh')} }`,
        '',
      ].join('\n'),
    );
    const p = await startCli({
      PROXMON_CONFIG: config,
      PROXMON_ADMIN_USER: ADMIN.username,
      PROXMON_ADMIN_PASSWORD: ADMIN.password,
    });
    const shells: number[] = [];
    try {
      const post = async (path: string, token?: string, body?: unknown) => {
        const res = await fetch(p.url + path, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body ?? {}),
        });
        return { status: res.status, body: (await res.json()) as Record<string, string> };
      };
      const admin = (await post('/api/auth/login', undefined, ADMIN)).body.access_token!;
      const read = (await post('/api/auth/tokens', admin, { name: 'grafana', scopes: ['read'] })).body.token!;
      expect((await post('/api/terminal/ticket')).status).toBe(401);
      expect((await post('/api/terminal/ticket', read)).status).toBe(403);

      const ticket = await post('/api/terminal/ticket', admin);
      expect(ticket.status).toBe(201);
      expect(ticket.body.expires_in).toBe(30);
      const t = terminal(p.url, ticket.body.ticket!);
      await t.opened;
      t.ws.send(JSON.stringify({ type: 'resize', cols: 101, rows: 31 }));
      t.type('echo "pid:$$ size:$(stty size)"\r');
      const [, pid, size] = await t.waitFor(/pid:(\d+) size:(\d+ \d+)/);
      expect(size).toBe('31 101');
      shells.push(Number(pid));
      t.ws.close();
      await until(() => !alive(Number(pid)));

      // Shutdown with a terminal open: the socket is closed as "going away" and the shell is killed.
      const again = terminal(p.url, (await post('/api/terminal/ticket', admin)).body.ticket!);
      await again.opened;
      again.type('echo "pid:$$"\r');
      shells.push(Number((await again.waitFor(/pid:(\d+)/))[1]));
      p.child.kill('SIGTERM');
      expect(await again.closed).toBe(1001);
      expect(await p.exited).toBe(0);
    } finally {
      p.child.kill('SIGKILL');
    }
    for (const pid of shells) expect(alive(pid), `shell ${pid}`).toBe(false);
  });
});
