import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceContext } from '../../test-support/source-context.js';
import { createExec } from '../exec.js';
import type { Result } from '../source.js';
import { createServicesSource, type ServicesSnapshot } from './index.js';

/** tests/fake-bin stand-ins, run through the real createExec (spawn, timeout, process-group kill). */
const fakeBin = (name: string) =>
  fileURLToPath(new URL(`../../../../tests/fake-bin/${name}`, import.meta.url));

let tmp: string;
let rootfs: string;
let argsLog: string;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'proxmon-services-'));
  rootfs = join(tmp, 'root');
  mkdirSync(rootfs);
  argsLog = join(tmp, 'args');
  process.env.SYSTEMCTL_ARGS_LOG = argsLog;
});

afterEach(() => {
  delete process.env.SYSTEMCTL_ARGS_LOG;
  delete process.env.SYSTEMCTL_SCENARIO;
  rmSync(tmp, { recursive: true, force: true });
});

function clustered(): void {
  mkdirSync(join(rootfs, 'etc/corosync'), { recursive: true });
  writeFileSync(join(rootfs, 'etc/corosync/corosync.conf'), 'totem {\n  cluster_name: lab\n}\n');
}

function collect(scenario: string, systemctl = fakeBin('systemctl-recorded'), units?: string[]) {
  process.env.SYSTEMCTL_SCENARIO = scenario;
  return createServicesSource({ units }).collect(
    sourceContext({ paths: { rootfs }, exec: createExec({ systemctl }) }),
  );
}

function states(r: Result<ServicesSnapshot>): Array<[string, boolean, boolean, string]> {
  if (!r.ok) throw new Error(r.error.message);
  return r.value.services.map((s) => [s.name, s.loaded, s.active, s.activeState]);
}

const calls = () => readFileSync(argsLog, 'utf8').trim().split('\n');

describe('services source through a stand-in systemctl', () => {
  it('asks systemd once for all PVE units and reports them all active', async () => {
    const source = createServicesSource();
    expect([source.name, source.intervalSeconds, source.timeoutSeconds]).toEqual(['services', 30, 10]);
    clustered();
    expect(states(await collect('pve-all-active'))).toEqual([
      ['pveproxy', true, true, 'active'],
      ['pvedaemon', true, true, 'active'],
      ['pvestatd', true, true, 'active'],
      ['pve-cluster', true, true, 'active'],
      ['corosync', true, true, 'active'],
    ]);
    expect(calls()).toEqual([
      'show --property=Id,LoadState,ActiveState,SubState -- pveproxy pvedaemon pvestatd pve-cluster corosync',
    ]);
  });

  it('reports a failed unit as down with its raw states', async () => {
    clustered();
    const r = await collect('pve-one-failed');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.services.filter((s) => !s.active)).toEqual([
      {
        name: 'pvestatd',
        unit: 'pvestatd.service',
        loadState: 'loaded',
        loaded: true,
        active: false,
        activeState: 'failed',
        subState: 'failed',
      },
    ]);
  });

  it('asks about corosync only when <rootfs>/etc/corosync/corosync.conf exists', async () => {
    expect(states(await collect('pve-all-active')).map(([name]) => name)).toEqual([
      'pveproxy',
      'pvedaemon',
      'pvestatd',
      'pve-cluster',
    ]);
    clustered();
    expect(states(await collect('pve-standalone-corosync-inactive')).at(-1)).toEqual([
      'corosync',
      true,
      false,
      'inactive',
    ]);
    expect(calls().map((c) => c.endsWith(' corosync'))).toEqual([false, true]);
  });

  it('adds configured units once and keeps not-found ones out of what is loaded', async () => {
    const r = await collect('pve-all-active', undefined, ['nginx', 'pveproxy']);
    expect(states(r)).toEqual([
      ['pveproxy', true, true, 'active'],
      ['pvedaemon', true, true, 'active'],
      ['pvestatd', true, true, 'active'],
      ['pve-cluster', true, true, 'active'],
      ['nginx', false, false, 'inactive'],
    ]);
    expect(calls()).toEqual([
      'show --property=Id,LoadState,ActiveState,SubState -- pveproxy pvedaemon pvestatd pve-cluster nginx',
    ]);
  });

  it('is absent on a host that is not a PVE node (every unit not-found)', async () => {
    expect(await collect('not-pve')).toEqual({
      ok: false,
      error: {
        kind: 'absent',
        message: 'systemctl: none of pveproxy, pvedaemon, pvestatd, pve-cluster is installed',
      },
    });
  });

  it('is absent where systemd is not PID 1 (recorded Debian 12 message, exit 1) and without systemctl', async () => {
    expect(await collect('pve-all-active', fakeBin('systemctl-no-systemd'))).toEqual({
      ok: false,
      error: {
        kind: 'absent',
        message: "systemctl: System has not been booted with systemd as init system (PID 1). Can't operate.",
      },
    });
    expect(await collect('pve-all-active', join(tmp, 'no-such-systemctl'))).toMatchObject({
      ok: false,
      error: { kind: 'absent' },
    });
  });

  it('reports any other systemctl failure as an exit error with its reason', async () => {
    const broken = join(tmp, 'systemctl-bus-refused');
    writeFileSync(broken, '#!/bin/sh\necho "Failed to connect to bus: Connection refused" >&2\nexit 1\n', {
      mode: 0o755,
    });
    expect(await collect('pve-all-active', broken)).toEqual({
      ok: false,
      error: {
        kind: 'exit',
        message: 'systemctl show exited 1: Failed to connect to bus: Connection refused',
      },
    });
  });

  it('gives up on a hung systemctl at the deadline', async () => {
    process.env.SYSTEMCTL_SCENARIO = 'pve-all-active';
    const t0 = performance.now();
    const r = await createServicesSource().collect(
      sourceContext({
        paths: { rootfs },
        exec: createExec({ systemctl: fakeBin('hang') }),
        signal: AbortSignal.timeout(300),
      }),
    );
    expect(r).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('rejects a unit name systemctl could read as an option or that is not a unit name', () => {
    expect(() => createServicesSource({ units: ['--all'] })).toThrow('services: invalid unit name "--all"');
    expect(() => createServicesSource({ units: ['a b'] })).toThrow('invalid unit name');
    expect(() => createServicesSource({ units: ['ceph-mon@pve1', 'lxc@101.service'] })).not.toThrow();
  });
});
