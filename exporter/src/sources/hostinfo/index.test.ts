import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExec, type Exec } from '../exec.js';
import { fail, ok } from '../source.js';
import { sourceContext } from '../../test-support/source-context.js';
import { createHostInfoSource, parsePveVersion } from './index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'proxmon-hostinfo-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function put(path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

/** A recorded host: /proc files and os-release at /usr/lib (found through the spec's fallback). */
function recordedHost(): void {
  put('proc/sys/kernel/hostname', fixture('proc-sys-kernel-hostname.txt'));
  put('proc/sys/kernel/osrelease', fixture('proc-sys-kernel-osrelease.txt'));
  put('proc/uptime', fixture('proc-uptime.txt'));
  put('root/usr/lib/os-release', fixture('os-release-debian12.txt'));
}

const context = (exec: Exec) =>
  sourceContext({
    paths: { procfs: join(dir, 'proc'), sysfs: join(dir, 'sys'), rootfs: join(dir, 'root') },
    exec,
    now: Date.now,
  });

describe('hostinfo source', () => {
  it('reads a Proxmox host', async () => {
    recordedHost();
    const exec: Exec = async (tool, args) => {
      expect([tool, ...args]).toEqual(['pveversion']);
      return ok({ stdout: fixture('pveversion-pve832.txt'), stderr: '', exitCode: 0, durationMs: 600 });
    };
    expect(await createHostInfoSource().collect(context(exec))).toEqual(
      ok({
        hostname: 'vm',
        kernel: '6.18.44-fc-v782',
        os: 'Debian GNU/Linux 12 (bookworm)',
        pveVersion: '8.3.2',
        uptimeSeconds: 755.13,
      }),
    );
  });

  it('succeeds off Proxmox with an empty pve version (real exec, no pveversion installed)', async () => {
    recordedHost();
    const exec = createExec({ pveversion: join(dir, 'no-such-pveversion') });
    const r = await createHostInfoSource().collect(context(exec));
    expect(r.ok && r.value.pveVersion).toBe('');
    expect(r.ok && r.value.hostname).toBe('vm');
  });

  it('keeps going when pveversion fails or times out, and without any os-release', async () => {
    put('proc/sys/kernel/hostname', 'pve1\n');
    put('proc/sys/kernel/osrelease', '6.8.12-5-pve\n');
    put('proc/uptime', '12.00 40.00\n');
    const exec: Exec = async () => fail('timeout', 'pveversion: timed out after 8000 ms');
    expect(await createHostInfoSource().collect(context(exec))).toEqual(
      ok({ hostname: 'pve1', kernel: '6.8.12-5-pve', os: '', pveVersion: '', uptimeSeconds: 12 }),
    );
  });

  it('fails when the kernel files cannot be read', async () => {
    const exec: Exec = async () => fail('absent', 'pveversion: not installed');
    const r = await createHostInfoSource().collect(context(exec));
    expect(!r.ok && r.error.kind).toBe('absent');
  });

  it('exports the pveversion parser for the API', () => {
    expect(parsePveVersion('pve-manager/8.2.4/faa83925c9641325 (running kernel: 6.8.8-2-pve)')).toEqual(
      ok({ version: '8.2.4', commit: 'faa83925c9641325', runningKernel: '6.8.8-2-pve' }),
    );
  });
});
