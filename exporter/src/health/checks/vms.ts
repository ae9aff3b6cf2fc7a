import type { PveGuest } from '../../pve-model/index.js';
import { PVE_SOURCE, type PveSnapshot } from '../../sources/pve/index.js';
import type { CategoryCheck, CategoryEvaluation, CheckRow, ResourceInventory } from '../check.js';
import type { Finding, Severity } from '../finding.js';
import { sourceState } from './source-state.js';
import { guestEvent, type GuestEvent } from './vm-events.js';
import { byCodePoint } from '../../compare.js';

/** The journal lines the checks look at: the last 10 minutes, as the reference reads them. */
export const VMS_JOURNAL_WINDOW_MS = 10 * 60_000;

export const VM_CHECKS = {
  qmp: 'qmp_communication',
  vmStart: 'vm_startup',
  ctStart: 'container_startup',
  oom: 'oom_killer',
} as const;
type VmCheck = (typeof VM_CHECKS)[keyof typeof VM_CHECKS];

/** `vm_<vmid>` for a QEMU guest, `ct_<vmid>` for a container: one error per guest, its worst problem. */
export const guestErrorKey = (guest: Pick<PveGuest, 'vmid' | 'type'>) =>
  `${guest.type === 'qemu' ? 'vm' : 'ct'}_${guest.vmid}`;

interface Problem {
  guest: PveGuest;
  check: VmCheck;
  severity: Severity;
  count: number;
  last: GuestEvent;
}

type Ignored = Record<VmCheck, { gone: number; settled: number }>;

const SEVERITY_RANK: Record<Severity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

/**
 * Guest problems from the journal's last 10 minutes, qualified by the PVE guest list:
 * - QMP command failures on a running VM: WARNING (INFO during the boot grace; ignored while the
 *   guest holds a lock, e.g. a vzdump backup, or is not running);
 * - a VM or container that failed to start and is still not running: CRITICAL;
 * - the OOM killer killing a process in a guest's cgroup: WARNING, CRITICAL when the guest is now stopped.
 * Lines about a guest that no longer exists (or whose vmid now belongs to the other kind) are dropped,
 * and a start failure of a guest that runs now is over. `present.guest` lists every vmid seen.
 */
export const checkVms: CategoryCheck = (inputs) => {
  const source = sourceState<PveSnapshot>(inputs.snapshots, PVE_SOURCE);
  if (source.kind === 'absent')
    return { category: 'vms', rows: [], findings: [], skipped: `not a Proxmox VE node: ${source.reason}` };
  if (source.kind === 'unavailable')
    return { category: 'vms', rows: [], findings: [], unknown: source.reason };

  const guests = new Map(source.value.guests.map((g) => [g.vmid, g]));
  const present: ResourceInventory = { guest: new Set([...guests.keys()].map(String)) };
  const journal = inputs.extras.journal;
  if (journal === undefined)
    return {
      category: 'vms',
      rows: [],
      findings: [],
      present,
      unknown: 'the journal was not read this cycle',
    };

  const problems = new Map<string, Problem>();
  const ignored = Object.fromEntries(
    Object.values(VM_CHECKS).map((c) => [c, { gone: 0, settled: 0 }]),
  ) as Ignored;
  const since = inputs.now - VMS_JOURNAL_WINDOW_MS;
  for (let i = 0; i < journal.length; i++) {
    const line = journal[i]!;
    if (line.at < since) continue;
    const event = guestEvent(line);
    if (!event) continue;
    const guest = guests.get(event.vmid);
    if (!guest || (event.type !== undefined && event.type !== guest.type)) {
      ignored[checkOf(event, event.type ?? 'qemu')].gone++;
      continue;
    }
    const check = checkOf(event, guest.type);
    const severity = severityOf(event, guest, inputs.bootGrace);
    if (severity === undefined) {
      ignored[check].settled++;
      continue;
    }
    const key = `${guest.vmid}/${check}`;
    const p = problems.get(key);
    if (!p) problems.set(key, { guest, check, severity, count: 1, last: event });
    else merge(p, event);
  }
  return evaluation([...problems.values()], ignored, present);
};

/** One OOM kill logs up to three lines (the kernel's summary, systemd's two about the scope): count it once. */
const OOM_SAME_KILL_MS = 2000;

function merge(p: Problem, event: GuestEvent): void {
  const sameKill = event.kind === 'oom_kill' && Math.abs(event.at - p.last.at) <= OOM_SAME_KILL_MS;
  if (!sameKill) p.count++;
  // Keep the line that names the killed process over systemd's, which does not.
  if (sameKill && p.last.task !== undefined && event.task === undefined) return;
  if (event.at >= p.last.at || sameKill) p.last = event;
}

function checkOf(event: GuestEvent, type: PveGuest['type']): VmCheck {
  if (event.kind === 'qmp') return VM_CHECKS.qmp;
  if (event.kind === 'oom_kill') return VM_CHECKS.oom;
  return type === 'qemu' ? VM_CHECKS.vmStart : VM_CHECKS.ctStart;
}

/** Undefined when the line no longer matters: the guest runs again, is not running, is busy or a template. */
function severityOf(event: GuestEvent, guest: PveGuest, bootGrace: boolean): Severity | undefined {
  if (guest.template === true) return undefined; // never runs: nothing of this applies
  const running = guest.status === 'running';
  switch (event.kind) {
    case 'qmp':
      if (!running || guest.lock) return undefined;
      return bootGrace ? 'INFO' : 'WARNING';
    case 'start_failed':
      return running ? undefined : 'CRITICAL';
    case 'oom_kill':
      return running ? 'WARNING' : 'CRITICAL';
  }
}

function evaluation(problems: Problem[], ignored: Ignored, present: ResourceInventory): CategoryEvaluation {
  problems.sort((a, b) => a.guest.vmid - b.guest.vmid || byCodePoint(a.check, b.check));
  const rows: CheckRow[] = problems.map((p) => ({
    check: p.check,
    resource: String(p.guest.vmid),
    status: p.severity,
    reason: problemReason(p),
    errorKey: guestErrorKey(p.guest),
    value: p.count,
  }));
  for (const check of Object.values(VM_CHECKS)) {
    if (problems.some((p) => p.check === check)) continue;
    rows.push({ check, status: 'OK', reason: okReason(check, ignored[check]) });
  }

  const byGuest = new Map<number, Problem[]>();
  for (const p of problems) byGuest.set(p.guest.vmid, [...(byGuest.get(p.guest.vmid) ?? []), p]);
  const findings: Finding[] = [];
  for (const list of byGuest.values()) {
    const worst = list.reduce((a, b) => (SEVERITY_RANK[b.severity] > SEVERITY_RANK[a.severity] ? b : a));
    const guest = worst.guest;
    findings.push({
      errorKey: guestErrorKey(guest),
      category: 'vms',
      check: worst.check,
      severity: worst.severity,
      reason: [worst, ...list.filter((p) => p !== worst)].map(problemReason).join('; '),
      details: {
        resource: { kind: 'guest', id: String(guest.vmid) },
        vmid: guest.vmid,
        type: guest.type,
        ...(guest.name !== undefined && { name: guest.name }),
        ...(guest.status !== undefined && { status: guest.status }),
        checks: list.map((p) => ({
          check: p.check,
          severity: p.severity,
          count: p.count,
          lastSeen: p.last.at,
          line: p.last.message,
        })),
      },
    });
  }
  return { category: 'vms', rows, findings, present };
}

const MAX_LINE = 200;
const clip = (s: string) => (s.length > MAX_LINE ? `${s.slice(0, MAX_LINE - 1)}…` : s);

function label(g: PveGuest): string {
  return `${g.type === 'qemu' ? 'VM' : 'CT'} ${g.vmid}${g.name ? ` (${g.name})` : ''}`;
}

function problemReason(p: Problem): string {
  const times = p.count === 1 ? '' : ` ${p.count} times`;
  const status = p.guest.status ?? 'in an unknown state';
  switch (p.check) {
    case VM_CHECKS.qmp:
      return `${label(p.guest)}: QMP commands failed${times} in the last 10 min: ${clip(p.last.message)}`;
    case VM_CHECKS.oom: {
      const what = p.last.task
        ? `${p.last.task}${p.last.pid !== undefined ? ` (pid ${p.last.pid})` : ''}`
        : 'a process';
      return `${label(p.guest)}: the OOM killer killed ${what}${times} in the last 10 min; the guest is ${status}`;
    }
    default:
      return `${label(p.guest)} failed to start${times} in the last 10 min and is ${status}: ${clip(p.last.message)}`;
  }
}

function okReason(check: VmCheck, n: { gone: number; settled: number }): string {
  const base = {
    [VM_CHECKS.qmp]: 'No QMP failures on running VMs in the last 10 min',
    [VM_CHECKS.vmStart]: 'No VM start failures in the last 10 min',
    [VM_CHECKS.ctStart]: 'No container start failures in the last 10 min',
    [VM_CHECKS.oom]: 'No OOM kills in guests in the last 10 min',
  }[check];
  const notes = [
    n.gone > 0 ? `${n.gone} about guests that no longer exist` : '',
    n.settled > 0
      ? `${n.settled} ${check === VM_CHECKS.qmp ? 'on VMs now stopped or locked (backup, migration)' : 'on guests running now'}`
      : '',
  ].filter(Boolean);
  return notes.length === 0 ? base : `${base} (ignored: ${notes.join(', ')})`;
}
