import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NotificationEvent } from '../event.js';
import {
  createJournalWatcher,
  followArgs,
  type JournalCheckpoint,
  type JournalWatcher,
  type JournalWatcherOptions,
} from './journal-watcher.js';

/** tests/journal.ts, loaded at run time: it lies outside the exporter's rootDir, so no static import. */
interface ExportEntry {
  timeMs: number;
  message: string | Uint8Array;
  priority?: number;
  identifier?: string;
  unit?: string;
}
interface JournalHelper {
  buildJournal(dir: string, entries: readonly ExportEntry[], name?: string): string;
  readJournalFixture(name: string): ExportEntry[];
  journalRemoteInstalled(): boolean;
}
const { buildJournal, readJournalFixture, journalRemoteInstalled } = (await import(
  new URL('../../../../tests/journal.ts', import.meta.url).href
)) as JournalHelper;

const dirs: string[] = [];
const watchers: JournalWatcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'proxmon-watch-'));
  dirs.push(d);
  return d;
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fixture's entries moved to now, keeping their spacing (dedupe and tiers read entry times). */
function fixtureNow(name: string, at = Date.now()): ExportEntry[] {
  const entries = readJournalFixture(name);
  const first = entries[0]!.timeMs;
  return entries.map((e) => ({ ...e, timeMs: at + (e.timeMs - first) }));
}

const line = (message: string, identifier = 'kernel', priority = 3, at = Date.now()): ExportEntry => ({
  timeMs: at,
  message,
  identifier,
  priority,
});

interface Harness {
  watcher: JournalWatcher;
  events: NotificationEvent[];
  saved: JournalCheckpoint[];
  problems: string[];
}

function watch(dir: string, options: Partial<JournalWatcherOptions> = {}): Harness {
  const events: NotificationEvent[] = [];
  const saved: JournalCheckpoint[] = [];
  const problems: string[] = [];
  const watcher = createJournalWatcher({
    directory: dir,
    onEvent: (e) => events.push(e),
    onCursor: (c) => saved.push(c),
    onProblem: (p) => problems.push(p),
    cursorSaveMs: 100,
    restartDelayMs: 100,
    ...options,
  });
  watchers.push(watcher);
  return { watcher, events, saved, problems };
}

/** journalctl -n 0 starts at the end once it is running: append harmless lines until one is read. */
async function ready(h: Harness, dir: string): Promise<void> {
  const before = h.watcher.status().entriesRead;
  await waitFor('journalctl to follow', () => {
    if (h.watcher.status().entriesRead > before) return true;
    buildJournal(dir, [line('ready marker', 'test', 6)]);
    return false;
  });
  await sleep(50);
}

const count = (events: NotificationEvent[], type: string) => events.filter((e) => e.type === type).length;

describe('followArgs', () => {
  it('follows from the end without a cursor, everything after one with it', () => {
    expect(followArgs(undefined, { directory: '/j' })).toEqual([
      '-f',
      '-o',
      'json',
      '--no-pager',
      '--output-fields=MESSAGE,PRIORITY,_SYSTEMD_UNIT,SYSLOG_IDENTIFIER,_PID,_HOSTNAME,_BOOT_ID',
      '--directory=/j',
      '-n',
      '0',
    ]);
    expect(followArgs('s=1;i=2', { files: ['/a.journal'] }).slice(5)).toEqual([
      '--file=/a.journal',
      '--after-cursor=s=1;i=2',
      '--no-tail',
    ]);
  });
});

describe.skipIf(!journalRemoteInstalled())('journal watcher on real journal files', () => {
  it('follows appended entries (not the backlog), then resumes after the saved cursor with no duplicates', async () => {
    const dir = scratch();
    buildJournal(dir, fixtureNow('auth-failures.export', Date.now() - 60_000));
    const first = watch(dir);
    first.watcher.start();
    await ready(first, dir);

    buildJournal(dir, fixtureNow('oom-kill.export'));
    await waitFor('two OOM kills', () => count(first.events, 'oom_kill') === 2);
    expect(count(first.events, 'auth_fail')).toBe(0);
    await first.watcher.stop();
    const checkpoint = first.saved.at(-1)!;
    expect(checkpoint.cursor).toMatch(/^s=[0-9a-f]{32};i=/);
    expect(Math.abs(checkpoint.savedAtMs - Date.now())).toBeLessThan(5_000);

    // Written while proxmon is down: read after the restart, from the cursor.
    buildJournal(dir, fixtureNow('auth-failures.export'));
    const second = watch(dir, { checkpoint });
    second.watcher.start();
    await waitFor('seven auth failures', () => count(second.events, 'auth_fail') === 7);
    buildJournal(dir, [line("pve-container@101.service: Failed with result 'exit-code'.", 'systemd', 4)]);
    await waitFor('the service failure', () => count(second.events, 'service_fail') === 1);
    await sleep(200);
    expect(count(second.events, 'oom_kill')).toBe(0);
    expect(second.events.map((e) => e.type).filter((t) => t !== 'auth_fail')).toEqual(['service_fail']);
  });

  it('restarts journalctl after it is killed and reads what was written meanwhile, once', async () => {
    const dir = scratch();
    buildJournal(dir, [line('start', 'test', 6)]);
    const h = watch(dir, { restartDelayMs: 300, guestName: (vmid) => (vmid === 101 ? 'web' : undefined) });
    h.watcher.start();
    await ready(h, dir);
    buildJournal(dir, [
      line('Out of memory: Killed process 4242 (kvm) total-vm:1kB, anon-rss:1kB', 'kernel'),
    ]);
    await waitFor('the first OOM kill', () => count(h.events, 'oom_kill') === 1);
    await waitFor('a saved cursor', () => h.saved.length > 0);

    const pid = h.watcher.status().pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor('journalctl to die', () => h.watcher.status().pid !== pid);
    buildJournal(dir, [
      line('Out of memory: Killed process 4343 (kvm) total-vm:1kB, anon-rss:1kB', 'kernel'),
      line("pve-container@101.service: Failed with result 'exit-code'.", 'systemd', 4),
    ]);
    await waitFor(
      'the restart',
      () => h.watcher.status().restarts === 1 && h.watcher.status().pid !== undefined,
    );
    await waitFor('the entries written while it was down', () => count(h.events, 'oom_kill') === 2);
    await waitFor('the service failure', () => count(h.events, 'service_fail') === 1);
    await sleep(300);
    expect(h.events.filter((e) => e.type === 'oom_kill').map((e) => e.fields.pid)).toEqual([4242, 4343]);
    expect(h.events.find((e) => e.type === 'service_fail')!.fields).toMatchObject({
      vmid: 101,
      vmname: 'web',
    });
    expect(h.problems.some((p) => /killed by SIGKILL/.test(p))).toBe(true);
  });

  it('dedupes identical fingerprints within 30 s, but counts every failed login; tiers disk errors', async () => {
    const dir = scratch();
    buildJournal(dir, [line('start', 'test', 6)]);
    const h = watch(dir);
    h.watcher.start();
    await ready(h, dir);
    const t = Date.now();
    const pve = 'authentication failure; rhost=::ffff:203.0.113.7 user=root@pam msg=Authentication failure';
    buildJournal(dir, [
      line('Call Trace:', 'kernel', 4, t),
      line('Call Trace:', 'kernel', 4, t + 1_000),
      line('Call Trace:', 'kernel', 4, t + 40_000),
      line(pve, 'pvedaemon', 3, t + 41_000),
      line(pve, 'pvedaemon', 3, t + 41_500),
      line(pve, 'pvedaemon', 3, t + 42_000),
      // One soft error stays silent; a hard one is CRITICAL; the next hard one is already said.
      line(
        'I/O error, dev sdb, sector 10 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 2',
        'kernel',
        3,
        t + 43_000,
      ),
      line('Buffer I/O error on dev sdb1, logical block 5, async page read', 'kernel', 3, t + 44_000),
      line('Buffer I/O error on dev sdb1, logical block 6, async page read', 'kernel', 3, t + 45_000),
      line('end marker', 'test', 6, t + 46_000),
    ]);
    await waitFor('the end marker', () => h.watcher.status().entriesRead >= 11);
    expect(h.events.map((e) => [e.type, e.severity])).toEqual([
      ['system_problem', 'WARNING'],
      ['system_problem', 'WARNING'],
      ['auth_fail', 'WARNING'],
      ['auth_fail', 'WARNING'],
      ['auth_fail', 'WARNING'],
      ['disk_io_error', 'CRITICAL'],
    ]);
    await h.watcher.stop();
    expect(h.saved.at(-1)!.diskIo.devices['sdb']!.times).toHaveLength(3);
  });

  it('starts at the end when the saved cursor is older than 15 minutes', async () => {
    const dir = scratch();
    buildJournal(dir, [line('start', 'test', 6)]);
    const h = watch(dir);
    h.watcher.start();
    await ready(h, dir);
    await h.watcher.stop();
    const stale = { ...h.saved.at(-1)!, savedAtMs: Date.now() - 20 * 60_000 };

    buildJournal(dir, [line('Out of memory: Killed process 1 (old) total-vm:1kB, anon-rss:1kB')]);
    const again = watch(dir, { checkpoint: stale });
    again.watcher.start();
    await ready(again, dir);
    buildJournal(dir, [line('Out of memory: Killed process 2 (new) total-vm:1kB, anon-rss:1kB')]);
    await waitFor('the new OOM kill', () => again.events.length === 1);
    expect(again.events[0]!.fields.process).toBe('new');
    expect(again.problems.some((p) => /cursor is 20 min old/.test(p))).toBe(true);
  });

  it('falls back to the end when journalctl refuses the cursor', async () => {
    const dir = scratch();
    buildJournal(dir, [line('start', 'test', 6)]);
    const h = watch(dir, {
      checkpoint: { cursor: 'not-a-cursor', savedAtMs: Date.now(), diskIo: { devices: {} } },
    });
    h.watcher.start();
    await waitFor('the refusal', () => h.problems.some((p) => /refused the saved cursor/.test(p)));
    await ready(h, dir);
    buildJournal(dir, [line('Kernel panic - not syncing: Fatal exception')]);
    await waitFor('the panic', () => h.events.length === 1);
    expect(h.events[0]!.fields.problem).toBe('kernel panic');
  });

  it('keeps retrying, with backoff, while journalctl cannot start; stop() ends it', async () => {
    const h = watch(scratch(), {
      journalctl: '/nonexistent/journalctl',
      restartDelayMs: 20,
      maxRestartDelayMs: 80,
    });
    h.watcher.start();
    await waitFor('three restarts', () => h.watcher.status().restarts >= 3);
    expect(h.watcher.status().lastProblem).toMatch(/ENOENT/);
    await h.watcher.stop();
    const restarts = h.watcher.status().restarts;
    await sleep(200);
    expect(h.watcher.status()).toMatchObject({ running: false, restarts });
  });
});
