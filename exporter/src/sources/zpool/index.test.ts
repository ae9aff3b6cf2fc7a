import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAlive, waitFor } from '../../test-support/tools.js';
import { createExec, type Exec, type ExecOptions } from '../exec.js';
import { readText } from '../read.js';
import { fail, ok, type Result, type SourceContext } from '../source.js';
import { createZpoolSource, type ZpoolSnapshot } from './index.js';
import { utcTime } from './units.js';

const fixture = (file: string) => readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
const fakeZpool = fileURLToPath(new URL('../../../../tests/fake-bin/zpool-recorded', import.meta.url));
const LIST_ARGS = ['list', '-Hp', '-o', 'name,size,allocated,free,fragmentation,dedupratio,health'];

function context(exec: Exec, signal = new AbortController().signal): SourceContext {
  return {
    paths: { procfs: '/nonexistent', sysfs: '/nonexistent', rootfs: '/' },
    exec,
    readText,
    signal,
    now: () => 0,
    logger: pino({ level: 'silent' }),
  };
}

type Reply = Result<{ stdout?: string; stderr?: string; exitCode?: number }>;

/** A fake zpool answering by subcommand (`list`, `status -j`, `status -p`), recording every call. */
function fakeExec(replies: Record<'list' | 'json' | 'text', Reply | (() => Reply)>) {
  const calls: { args: readonly string[]; options: ExecOptions }[] = [];
  const exec: Exec = async (tool, args, options) => {
    expect(tool).toBe('zpool');
    calls.push({ args, options });
    const which = args[0] === 'list' ? 'list' : args.includes('-j') ? 'json' : 'text';
    const entry = replies[which];
    const reply = typeof entry === 'function' ? entry() : entry;
    if (!reply.ok) return reply;
    return ok({ stdout: '', stderr: '', exitCode: 0, durationMs: 3, ...reply.value });
  };
  return { exec, calls };
}

const REJECT_J = ok({ stderr: "invalid option 'j'\nusage:\n", exitCode: 2 });
const LIST_RPOOL = ok({ stdout: 'rpool\t996432412672\t7226282476\t989206130196\t0\t1.00\tDEGRADED\n' });

function snapshotOf(r: Result<ZpoolSnapshot>): ZpoolSnapshot {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('zpool source collect()', () => {
  it('asks for JSON once, falls back to text for good when -j is rejected, and merges the list', async () => {
    const { exec, calls } = fakeExec({
      list: LIST_RPOOL,
      json: REJECT_J,
      text: ok({ stdout: fixture('zpool-status-v-pve8-resilver-in-progress-replacing.txt') }),
    });
    const source = createZpoolSource({ toEpoch: utcTime });
    expect([source.name, source.intervalSeconds, source.timeoutSeconds]).toEqual(['zpool', 60, 20]);
    const ctx = context(exec);
    const first = snapshotOf(await source.collect(ctx));
    expect(first.format).toBe('text');
    expect(first.pools).toHaveLength(1);
    expect(first.pools[0]).toMatchObject({
      name: 'rpool',
      state: 'DEGRADED',
      sizeBytes: 996432412672,
      allocatedBytes: 7226282476,
      freeBytes: 989206130196,
      fragmentationRatio: 0,
      dedupRatio: 1,
    });
    expect(first.pools[0]?.vdevs.filter((v) => v.diskId).map((v) => [v.label, v.diskId])).toEqual([
      ['ata-ST31000524AS_5VPD6EX2-part3', '5VPD6EX2'],
      ['12573010284538016996', '5VP07Z06'],
      ['ata-TOSHIBA_MQ01ABD100_96EOC9BST-part3', '96EOC9BST'],
    ]);
    await source.collect(ctx);
    expect(calls.map((c) => c.args.join(' '))).toEqual([
      'status -j --json-int',
      LIST_ARGS.join(' '),
      'status -p',
      'status -p',
      LIST_ARGS.join(' '),
    ]);
    expect(calls[0]?.options).toEqual({ timeoutMs: 20_000, signal: ctx.signal });
  });

  it('keeps to JSON when zpool supports it (OpenZFS 2.3)', async () => {
    const { exec, calls } = fakeExec({
      list: ok({ stdout: '' }),
      json: ok({ stdout: fixture('zpool-status-j-json-int-pve-4pools.json') }),
      text: fail('io', 'must not be called'),
    });
    const source = createZpoolSource();
    const snap = snapshotOf(await source.collect(context(exec)));
    expect([snap.format, snap.pools.map((p) => p.name)]).toEqual([
      'json',
      ['rpool', 'zpool-hdd', 'zpool-nvme', 'zpool-ssd'],
    ]);
    await source.collect(context(exec));
    expect(calls.filter((c) => c.args[0] === 'status').map((c) => c.args.join(' '))).toEqual([
      'status -j --json-int',
      'status -j --json-int',
    ]);
  });

  it('never asks for JSON with format "text", and reports a rejected -j with format "json"', async () => {
    const text = fakeExec({ list: ok({}), json: fail('io', 'must not be called'), text: ok({}) });
    expect(snapshotOf(await createZpoolSource({ format: 'text' }).collect(context(text.exec)))).toEqual({
      format: 'text',
      pools: [],
    });
    const json = fakeExec({ list: ok({}), json: REJECT_J, text: ok({}) });
    expect(await createZpoolSource({ format: 'json' }).collect(context(json.exec))).toEqual(
      fail('exit', "zpool status -j: invalid option 'j'"),
    );
  });

  it('falls back to text when the JSON cannot be read', async () => {
    const { exec } = fakeExec({
      list: ok({}),
      json: ok({ stdout: '{"pools": {"tank": ' }),
      text: ok({ stdout: fixture('zpool-status-new-pool-no-scan-line.txt') }),
    });
    const snap = snapshotOf(await createZpoolSource().collect(context(exec)));
    expect([snap.format, snap.pools.map((p) => p.name)]).toEqual(['text', ['milton']]);
  });

  it('is zero pools when none is imported ("no pools available" on stderr, exit 0)', async () => {
    const none = ok({ stderr: 'no pools available\n' });
    const { exec } = fakeExec({ list: none, json: REJECT_J, text: none });
    expect(await createZpoolSource().collect(context(exec))).toEqual(ok({ format: 'text', pools: [] }));
  });

  it('is absent when zpool is not installed or the ZFS module is not loaded', async () => {
    const missing = fakeExec({
      list: fail('absent', 'zpool: not installed'),
      json: fail('absent', 'zpool: not installed'),
      text: ok({}),
    });
    expect(await createZpoolSource().collect(context(missing.exec))).toMatchObject({
      ok: false,
      error: { kind: 'absent' },
    });
    const wrapper = ok({ stderr: 'zpool: command not found', exitCode: 127 });
    const shell = fakeExec({ list: wrapper, json: wrapper, text: wrapper });
    expect(await createZpoolSource().collect(context(shell.exec))).toMatchObject({
      ok: false,
      error: { kind: 'absent' },
    });
    const noModule = ok({
      stderr: "The ZFS modules are not loaded.\nTry running '/sbin/modprobe zfs' as root to load them.\n",
      exitCode: 1,
    });
    const module = fakeExec({ list: noModule, json: noModule, text: noModule });
    expect(await createZpoolSource().collect(context(module.exec))).toEqual(
      fail('absent', 'zpool: The ZFS modules are not loaded.'),
    );
  });

  it('reports failures: a timeout, an exit with nothing usable, a parse error; keeps data despite an exit status', async () => {
    const timeout = fakeExec({
      list: LIST_RPOOL,
      json: fail('timeout', 'zpool: timed out after 20000 ms'),
      text: ok({}),
    });
    expect(await createZpoolSource().collect(context(timeout.exec))).toEqual(
      fail('timeout', 'zpool: timed out after 20000 ms'),
    );
    const denied = ok({ stderr: 'Permission denied the ZFS utilities must be run as root.\n', exitCode: 1 });
    const exit = fakeExec({ list: denied, json: REJECT_J, text: denied });
    expect(await createZpoolSource().collect(context(exit.exec))).toEqual(
      fail('exit', 'zpool status -p exited 1: Permission denied the ZFS utilities must be run as root.'),
    );
    const garbage = fakeExec({
      list: LIST_RPOOL,
      json: REJECT_J,
      text: ok({ stdout: 'Segmentation fault' }),
    });
    expect(await createZpoolSource().collect(context(garbage.exec))).toMatchObject({
      ok: false,
      error: { kind: 'parse' },
    });
    const partial = fakeExec({
      list: LIST_RPOOL,
      json: REJECT_J,
      text: ok({
        stdout: fixture('zpool-status-v-pve8-scrub-in-progress.txt'),
        stderr: 'cannot open x\n',
        exitCode: 1,
      }),
    });
    expect(snapshotOf(await createZpoolSource().collect(context(partial.exec))).pools).toHaveLength(1);
  });

  it('remembers the last scrub through a later resilver and forgets a pool that is gone', async () => {
    let status = fixture('zpool-status-v-pve8-scrub-repaired-0-errors.txt');
    const { exec } = fakeExec({ list: ok({}), json: REJECT_J, text: () => ok({ stdout: status }) });
    const source = createZpoolSource({ toEpoch: utcTime });
    const last = async () => snapshotOf(await source.collect(context(exec))).pools[0]?.lastScrubEndTime;
    expect(await last()).toBe(1740498368);
    status = fixture('zpool-status-v-pve8-resilver-in-progress-replacing.txt');
    expect(await last()).toBe(1740498368);
    status = fixture('zpool-status-new-pool-no-scan-line.txt'); // another pool: rpool is gone
    expect(await last()).toBeUndefined();
    status = fixture('zpool-status-v-pve8-resilver-in-progress-replacing.txt');
    expect(await last()).toBeUndefined();
  });

  it('uses /dev/disk/by-id links when given, to name kernel-named vdevs by WWN', async () => {
    const { exec } = fakeExec({
      list: ok({}),
      json: REJECT_J,
      text: ok({ stdout: fixture('zpool-status-spares.txt') }),
    });
    const source = createZpoolSource({
      byIdLinks: async () => ({ 'wwn-0x5000c500c65ac66f': '../../sdh', 'ata-X_SERIALF': '../../sdf' }),
    });
    const vdevs = snapshotOf(await source.collect(context(exec))).pools[0]?.vdevs ?? [];
    expect(vdevs.filter((v) => v.diskId).map((v) => [v.label, v.diskId])).toEqual([
      ['sdh', '0x5000c500c65ac66f'],
      ['sdf', 'SERIALF'],
    ]);
  });
});

describe('zpool source through the real exec and a stand-in zpool (tests/fake-bin/zpool-recorded)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'proxmon-zpool-'));
    process.env.ZPOOL_ARGS_LOG = join(dir, 'args');
  });
  afterEach(() => {
    for (const k of ['ZPOOL_SCENARIO', 'ZPOOL_ARGS_LOG', 'ZPOOL_PID_FILE']) delete process.env[k];
    rmSync(dir, { recursive: true, force: true });
  });
  const collect = (scenario: string, signal?: AbortSignal) => {
    process.env.ZPOOL_SCENARIO = scenario;
    return createZpoolSource({ toEpoch: utcTime }).collect(context(createExec({ zpool: fakeZpool }), signal));
  };

  it('reads a PVE 8 host mid-resilver (OpenZFS 2.2: -j rejected, text parsed)', async () => {
    const snap = snapshotOf(await collect('pve8-resilver'));
    expect(snap.format).toBe('text');
    expect(snap.pools[0]).toMatchObject({ name: 'rpool', state: 'DEGRADED', sizeBytes: 996432412672 });
    expect(snap.pools[0]?.scans[0]).toMatchObject({
      function: 'resilver',
      state: 'scanning',
      progressRatio: 0.0059,
    });
    expect(readFileSync(join(dir, 'args'), 'utf8').trim().split('\n').sort()).toEqual(
      ['status -j --json-int', LIST_ARGS.join(' '), 'status -p'].sort(),
    );
  });

  it('reads an OpenZFS 2.3 host through zpool status -j --json-int', async () => {
    const snap = snapshotOf(await collect('pve-json-int'));
    expect(snap.format).toBe('json');
    expect(snap.pools.map((p) => [p.name, p.sizeBytes, p.lastScrubEndTime])).toEqual([
      ['rpool', 498216206336, undefined], // its last scan was a resilver
      ['zpool-hdd', 15994458210304, 1764050414],
      ['zpool-nvme', 511101108224, 1764050448],
      ['zpool-ssd', 31988916420608, 1764055279],
    ]);
  });

  it('is zero pools, absent, or an exit error as the stand-in answers', async () => {
    expect(await collect('no-pools')).toEqual(ok({ format: 'text', pools: [] }));
    expect(await collect('no-module')).toMatchObject({ ok: false, error: { kind: 'absent' } });
    expect(await collect('garbage')).toEqual(fail('exit', 'zpool status -p exited 1'));
    const missing = await createZpoolSource().collect(
      context(createExec({ zpool: join(dir, 'no-such-zpool') })),
    );
    expect(missing).toEqual(fail('absent', 'zpool: not installed'));
  });

  it('kills a zpool status that hangs when the deadline passes', async () => {
    const pidFile = join(dir, 'pid');
    process.env.ZPOOL_PID_FILE = pidFile;
    const started = Date.now();
    const r = await collect('status-hangs', AbortSignal.timeout(500));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    await waitFor(() => existsSync(pidFile));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !isAlive(pid));
  });
});
