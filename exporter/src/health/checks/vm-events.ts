import type { GuestType } from '../../pve-model/index.js';
import type { JournalLine } from '../check.js';

/** What a journal line says happened to a guest. */
export type GuestEventKind = 'qmp' | 'start_failed' | 'oom_kill';

export interface GuestEvent {
  kind: GuestEventKind;
  vmid: number;
  /** Set when the line itself says whether it is a VM or a container. */
  type?: GuestType;
  /** Unix ms. */
  at: number;
  message: string;
  /** oom_kill: the killed process and its pid. */
  task?: string;
  pid?: number;
}

// Cheap gate first: most of a busy journal names none of these.
const GATE = /qmp|start|oom/i;
// Literal parts of the patterns below, matched without lower-casing a copy of each line.
const QMP_GATE = /qmp command/i;
const OOM_GATE = /oom/i;
const CT_UNIT_GATE = /pve-container@/i;
const CT_STARTUP_GATE = /startup for container/i;
const START_GATE = /start/i;
/** pvestatd/qm: `VM 211 qmp command failed - VM 211 qmp command 'query-proxmox-support' failed - ...`. */
const QMP = /\bVM (\d{1,9}) qmp command\b.*?\b(?:failed|unable|timeout|timed out)\b/i;
/** pvedaemon's task end: `end task UPID:<node>:<pid>:<pstart>:<start>:qmstart:213:root@pam: start failed: ...`. */
const TASK_END = /\bUPID:[^:\s]*:[0-9A-F]+:[0-9A-F]+:[0-9A-F]+:(qmstart|vzstart):(\d{1,9}):[^:\s]*:\s*(.*)$/i;
const TASK_FAILED = /error|fail|does not exist|unable|timeout/i;
/** systemd: `Failed to start pve-container@120.service - PVE LXC Container: 120.` */
const CT_UNIT_FAILED = /\bFailed to start pve-container@(\d{1,9})\.service\b/i;
/** lxc-start / pct: `startup for container '120' failed`. */
const CT_STARTUP = /\bstartup for container '(\d{1,9})' failed\b/i;
/** Anything else that says a start failed and names a guest: `VM 100`, `CT 101`, HA's `vm:100`. */
const START_FAILED =
  /\b(?:failed to start|cannot start|unable to start|activation failed|start error|start failed)\b/i;
const GUEST_ID = /\b(?:(vm|ct):|(VM|CT|container|guest)\s+'?)(\d{1,9})\b/i;
const KIND_WORD: Record<string, GuestType> = { vm: 'qemu', ct: 'lxc', container: 'lxc' };
/**
 * The kernel's `oom-kill:constraint=...,oom_memcg=...,task_memcg=...,task=<comm>,pid=<pid>,uid=...` summary
 * (printed at info level, before `Out of memory: Killed process`, which names no cgroup). QEMU guests run
 * in `/qemu.slice/<vmid>.scope`, containers in `/lxc/<vmid>/...` (`lxc.payload.<vmid>` on newer LXC).
 */
const OOM_VM = /\boom-kill:.*?\btask_memcg=\/qemu\.slice\/(\d{1,9})\.scope\b/;
const OOM_CT = /\boom-kill:.*?\b(?:oom_memcg|task_memcg)=\/lxc(?:\.payload)?[./](\d{1,9})(?![\d])/;
const OOM_TASK = /\btask=([^,]{1,64}),pid=(\d{1,10})\b/;
/** systemd about a VM's scope: `212.scope: A process of this unit has been killed by the OOM killer.` */
const OOM_SCOPE =
  /(?<![\w.@-])(\d{1,9})\.scope: (?:A process of this unit has been killed by the OOM killer|Failed with result 'oom-kill')/;

/**
 * The guest event a journal line reports, or undefined for any other line. Pure; never throws. Each
 * pattern runs only on lines holding its literal part: the cycle may hand over tens of thousands.
 */
/**
 * Whether a line with this message may report a guest event: guestEvent is undefined for every other
 * line, so the log analyzer need not hand those over (see LogAnalyzerDeps.keepLine).
 */
export const mayReportGuestEvent = (message: string): boolean => GATE.test(message);

export function guestEvent(line: JournalLine): GuestEvent | undefined {
  let event = seen.get(line);
  if (event === undefined) seen.set(line, (event = lineEvent(line) ?? null));
  return event ?? undefined;
}

/**
 * Events by line object: the log analyzer hands the same line objects to every cycle of its lookback,
 * so a warm cycle matches only the lines it has not seen before. Events are never changed after.
 */
const seen = new WeakMap<JournalLine, GuestEvent | null>();

function lineEvent(line: JournalLine): GuestEvent | undefined {
  const message = line.message;
  if (!GATE.test(message)) return undefined;
  const at = line.at;
  // Each gate below is implied by the pattern it guards, so it only saves running that pattern.
  const qmp = QMP_GATE.test(message) ? QMP.exec(message) : null;
  if (qmp) return event('qmp', qmp[1], 'qemu', at, message);

  if (message.includes('oom-kill:')) {
    const oomVm = OOM_VM.exec(message);
    const oom = oomVm ?? OOM_CT.exec(message);
    const e = oom ? event('oom_kill', oom[1], oomVm ? 'qemu' : 'lxc', at, message) : undefined;
    const task = OOM_TASK.exec(message);
    if (e && task?.[1] !== undefined) {
      e.task = task[1];
      e.pid = Number(task[2]);
    }
    if (e) return e;
  }
  const scope = message.includes('.scope: ') && OOM_GATE.test(message) ? OOM_SCOPE.exec(message) : null;
  if (scope) return event('oom_kill', scope[1], 'qemu', at, message);

  const task = message.includes('UPID:') ? TASK_END.exec(message) : null;
  if (task) {
    if (!TASK_FAILED.test(task[3] ?? '')) return undefined;
    return event('start_failed', task[2], task[1]?.toLowerCase() === 'qmstart' ? 'qemu' : 'lxc', at, message);
  }
  const ct =
    (CT_UNIT_GATE.test(message) ? CT_UNIT_FAILED.exec(message) : null) ??
    (CT_STARTUP_GATE.test(message) ? CT_STARTUP.exec(message) : null);
  if (ct) return event('start_failed', ct[1], 'lxc', at, message);
  if (START_GATE.test(message) && START_FAILED.test(message)) {
    const id = GUEST_ID.exec(message);
    if (!id) return undefined;
    return event('start_failed', id[3], KIND_WORD[(id[1] ?? id[2] ?? '').toLowerCase()], at, message);
  }
  return undefined;
}

function event(
  kind: GuestEventKind,
  id: string | undefined,
  type: GuestType | undefined,
  at: number,
  message: string,
): GuestEvent | undefined {
  const vmid = Number(id);
  if (!Number.isSafeInteger(vmid) || vmid <= 0) return undefined;
  return { kind, vmid, ...(type !== undefined && { type }), at, message };
}
