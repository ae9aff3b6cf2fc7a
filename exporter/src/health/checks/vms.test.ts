import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PveSnapshot } from '../../sources/pve/index.js';
import type { JournalLine } from '../check.js';
import {
  healthInputs,
  journalEntries,
  journalLines,
  NOW,
  pveFixture,
  T0,
  type InputsSetup,
} from './fixtures/host-inputs.js';
import { guestEvent, mayReportGuestEvent } from './vm-events.js';
import { checkVms } from './vms.js';

const journal = journalLines(journalEntries('journalctl-json-guests-constructed.jsonl'));

function run(pve: PveSnapshot = pveFixture(), setup: InputsSetup = {}, lines: JournalLine[] = journal) {
  return checkVms(healthInputs({ fresh: { pve }, extras: { journal: lines }, ...setup }));
}

function withGuest(vmid: number, change: Partial<PveSnapshot['guests'][number]> | 'delete'): PveSnapshot {
  const pve = pveFixture();
  pve.guests =
    change === 'delete'
      ? pve.guests.filter((g) => g.vmid !== vmid)
      : pve.guests.map((g) => (g.vmid === vmid ? { ...g, ...change } : g));
  return pve;
}

const summary = (r: ReturnType<typeof checkVms>) => r.findings.map((f) => [f.errorKey, f.severity, f.check]);

describe('checkVms on the recorded guest list and the constructed journal', () => {
  it('finds a QMP failure (WARNING), an OOM kill (WARNING) and two start failures (CRITICAL)', () => {
    const r = run();
    expect(r.unknown).toBeUndefined();
    expect(summary(r)).toEqual([
      ['ct_120', 'CRITICAL', 'container_startup'],
      ['vm_211', 'WARNING', 'qmp_communication'],
      ['vm_212', 'WARNING', 'oom_killer'],
      ['vm_213', 'CRITICAL', 'vm_startup'],
    ]);
    const byKey = new Map(r.findings.map((f) => [f.errorKey, f]));
    expect(byKey.get('vm_211')?.reason).toBe(
      "VM 211 (lab-app-01): QMP commands failed 2 times in the last 10 min: VM 211 qmp command failed - VM 211 qmp command 'query-status' failed - got timeout",
    );
    expect(byKey.get('vm_212')?.reason).toBe(
      'VM 212 (lab-app-02): the OOM killer killed kvm (pid 5123) in the last 10 min; the guest is running',
    );
    expect(byKey.get('ct_120')?.reason).toBe(
      "CT 120 (web) failed to start 2 times in the last 10 min and is stopped: <root@pam> end task UPID:pve:00003C01:0001D0FF:6745F11E:vzstart:120:root@pam: startup for container '120' failed",
    );
    expect(byKey.get('vm_213')?.details).toMatchObject({
      resource: { kind: 'guest', id: '213' },
      vmid: 213,
      type: 'qemu',
      name: 'lab-app-03',
      status: 'stopped',
    });
    expect(r.present).toEqual({ guest: new Set(['120', '211', '212', '213', '9000']) });
  });

  it('writes one row per guest and check, and OK rows naming what it ignored', () => {
    const rows = run().rows.map((row) => [row.check, row.resource, row.status, row.errorKey, row.value]);
    expect(rows).toEqual([
      ['container_startup', '120', 'CRITICAL', 'ct_120', 2],
      ['qmp_communication', '211', 'WARNING', 'vm_211', 2],
      ['oom_killer', '212', 'WARNING', 'vm_212', 1],
      ['vm_startup', '213', 'CRITICAL', 'vm_213', 1],
    ]);
    // Every check has a problem here; without the journal's problems the OK rows say what was ignored.
    const quiet = run(
      pveFixture(),
      {},
      journal.filter((l) => /999|9000|qmstart:211/.test(l.message)),
    );
    expect(quiet.rows.map((row) => [row.check, row.status, row.reason])).toEqual([
      [
        'qmp_communication',
        'OK',
        'No QMP failures on running VMs in the last 10 min (ignored: 1 about guests that no longer exist, 1 on VMs now stopped or locked (backup, migration))',
      ],
      ['vm_startup', 'OK', 'No VM start failures in the last 10 min (ignored: 1 on guests running now)'],
      ['container_startup', 'OK', 'No container start failures in the last 10 min'],
      ['oom_killer', 'OK', 'No OOM kills in guests in the last 10 min'],
    ]);
    expect(quiet.findings).toEqual([]);
  });

  it('makes an OOM kill CRITICAL when the guest is stopped now', () => {
    expect(summary(run(withGuest(212, { status: 'stopped' }))).find(([k]) => k === 'vm_212')).toEqual([
      'vm_212',
      'CRITICAL',
      'oom_killer',
    ]);
  });

  it('keeps the worst problem of a guest as its one finding, naming the others', () => {
    const extra: JournalLine = {
      at: T0 + 200_000,
      priority: 3,
      message:
        'oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/lxc/120,task_memcg=/lxc/120/ns/system.slice/nginx.service,task=nginx,pid=41234,uid=100033',
    };
    const f = run(pveFixture(), {}, [...journal, extra]).findings.find((x) => x.errorKey === 'ct_120');
    expect([f?.severity, f?.check]).toEqual(['CRITICAL', 'container_startup']);
    expect(f?.reason).toContain('; CT 120 (web): the OOM killer killed nginx (pid 41234)');
  });

  it('ignores QMP failures while the VM is locked (vzdump) and makes them INFO during the boot grace', () => {
    expect(summary(run(withGuest(211, { lock: 'backup' }))).map(([k]) => k)).not.toContain('vm_211');
    expect(summary(run(pveFixture(), { bootGrace: true })).find(([k]) => k === 'vm_211')).toEqual([
      'vm_211',
      'INFO',
      'qmp_communication',
    ]);
  });

  it('resolves a start failure once the guest runs, and drops guests that are gone', () => {
    expect(summary(run(withGuest(213, { status: 'running' }))).map(([k]) => k)).not.toContain('vm_213');
    const gone = run(withGuest(213, 'delete'));
    expect(summary(gone).map(([k]) => k)).not.toContain('vm_213');
    expect(gone.present?.guest?.has('213')).toBe(false);
    // A vmid reused by the other kind of guest: the line was about the deleted one.
    expect(summary(run(withGuest(211, { type: 'lxc' }))).map(([k]) => k)).not.toContain('vm_211');
  });

  it('reads only the last 10 minutes of the journal', () => {
    expect(run(pveFixture(), { now: T0 + 10 * 60_000 + 30_000 }).findings.map((f) => f.errorKey)).toEqual([
      'ct_120',
      'vm_212',
      'vm_213',
    ]);
    expect(run(pveFixture(), { now: T0 + 30 * 60_000 }).findings).toEqual([]);
  });

  it('is UNKNOWN without a fresh guest list or without the journal, and skipped off PVE', () => {
    const failed = checkVms(
      healthInputs({
        failed: { pve: { kind: 'timeout', message: 'pvesh timed out after 10 s' } },
        extras: { journal },
      }),
    );
    expect(failed.unknown).toBe('pve source failed: pvesh timed out after 10 s');
    expect(checkVms(healthInputs({ pending: ['pve'] })).unknown).toBe('pve source has no value yet');
    const noJournal = checkVms(healthInputs({ fresh: { pve: pveFixture() } }));
    expect(noJournal.unknown).toBe('the journal was not read this cycle');
    expect(noJournal.present?.guest?.size).toBe(5);
    const offPve = checkVms(healthInputs({ absent: { pve: 'pvesh: not installed' } }));
    expect(offPve).toEqual({
      category: 'vms',
      rows: [],
      findings: [],
      skipped: 'not a Proxmox VE node: pvesh: not installed',
    });
  });

  it('is OK with an empty journal', () => {
    const r = run(pveFixture(), {}, []);
    expect(r.findings).toEqual([]);
    expect(r.rows.every((row) => row.status === 'OK')).toBe(true);
  });
});

describe('guestEvent', () => {
  const at = NOW;
  const ev = (message: string) => guestEvent({ at, message, priority: 3 });

  it('reads each line shape of the fixture', () => {
    expect(journal.map((l) => guestEvent(l)).map((e) => e && [e.kind, e.vmid, e.type ?? '-'])).toEqual([
      ['qmp', 211, 'qemu'],
      ['qmp', 211, 'qemu'],
      ['qmp', 999, 'qemu'],
      ['qmp', 9000, 'qemu'],
      undefined, // starting task
      undefined, // start failed, no guest named
      ['start_failed', 213, 'qemu'],
      undefined, // task OK
      ['start_failed', 120, 'lxc'],
      ['start_failed', 120, 'lxc'],
      ['oom_kill', 212, 'qemu'],
      undefined, // Out of memory: names no cgroup
      ['oom_kill', 212, 'qemu'],
      ['oom_kill', 212, 'qemu'],
      ['start_failed', 211, 'qemu'],
      undefined,
    ]);
  });

  it('reads container OOM kills (cgroup v2 and lxc.payload), HA and generic start failures', () => {
    expect(
      ev(
        'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=ns,mems_allowed=0,oom_memcg=/lxc/101,task_memcg=/lxc/101/ns/user.slice,task=node,pid=77,uid=100000',
      ),
    ).toEqual({
      kind: 'oom_kill',
      vmid: 101,
      type: 'lxc',
      at,
      message: expect.any(String),
      task: 'node',
      pid: 77,
    });
    expect(
      ev(
        'oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/lxc.payload.105,task_memcg=/lxc.payload.105,task=java,pid=9,uid=0',
      ),
    ).toMatchObject({ vmid: 105, type: 'lxc' });
    expect(ev('unable to start service vm:104 on node pve2')).toMatchObject({
      kind: 'start_failed',
      vmid: 104,
      type: 'qemu',
    });
    expect(ev('Failed to start CT 130.')).toMatchObject({ kind: 'start_failed', vmid: 130, type: 'lxc' });
    expect(ev('start failed: guest 140 has no disk')).toEqual({
      kind: 'start_failed',
      vmid: 140,
      at,
      message: expect.any(String),
    });
    expect(
      ev('session-101.scope: A process of this unit has been killed by the OOM killer.'),
    ).toBeUndefined();
    expect(ev('end task UPID:pve:0000AAAA:0000BBBB:6745F0A1:vzstart:300:root@pam: OK')).toBeUndefined();
    expect(ev('VM 0 qmp command failed - got timeout')).toBeUndefined();
  });

  it('never throws, and an event names a positive vmid that appears in the line (and passes the gate)', () => {
    const piece = fc.oneof(
      fc.string(),
      fc.constantFrom(
        'VM ',
        ' qmp command ',
        'failed',
        'timeout',
        'UPID:pve:0A:0B:0C:',
        'qmstart:',
        'vzstart:',
        ':root@pam: ',
        'start failed',
        'oom-kill:',
        'task_memcg=/qemu.slice/',
        '.scope',
        'oom_memcg=/lxc/',
        'task=kvm,pid=',
        'Failed to start pve-container@',
        '.service',
        ' CT ',
        'vm:',
      ),
      fc.nat({ max: 2 ** 40 }).map(String),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.integer(), (parts, t) => {
        const message = parts.join('');
        const e = guestEvent({ at: t, message, priority: 3 });
        if (e === undefined) return;
        // The log analyzer holds only the lines the gate passes: it must pass every line with an event.
        expect(mayReportGuestEvent(message)).toBe(true);
        expect(Number.isSafeInteger(e.vmid) && e.vmid > 0).toBe(true);
        expect(message).toContain(String(e.vmid));
        expect(e.at).toBe(t);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads any vmid out of a QMP failure whatever follows it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 999_999_999 }), fc.string(), (vmid, rest) => {
        expect(
          guestEvent({ at, message: `VM ${vmid} qmp command failed - ${rest}`, priority: 3 }),
        ).toMatchObject({
          kind: 'qmp',
          vmid,
          type: 'qemu',
        });
      }),
    );
  });
});
