import type { JournalEntry } from '../../health/logs/journal.js';
import { normalisePattern, patternHash } from '../../health/logs/patterns.js';
import type { NotificationEvent } from '../event.js';
import { journalEvent } from './journal-event.js';

/**
 * Kernel (and zed) lines, matched against MESSAGE alone: OOM kills, panics, BUG:, filesystem errors,
 * machine checks, segfaults, and disk I/O errors. Every regex is anchored or bounded, so a long line
 * cannot make one backtrack badly.
 */

const isKernel = (e: JournalEntry) => e.identifier === 'kernel';

/** `Out of memory: Killed process` (global), `Memory cgroup out of memory: Killed process`, and the older bare form. */
const OOM_RE = /\bKilled process (\d{1,10}) \(([^)]{0,64})\)(?:[^\n]{0,80}?\banon-rss:(\d{1,15})kB)?/;

export function detectOom(entry: JournalEntry, message: string): NotificationEvent[] | undefined {
  if (!isKernel(entry)) return undefined;
  const m = OOM_RE.exec(message);
  if (!m) return undefined;
  const [, pid, name, anonKb] = m;
  const process = name || 'unknown';
  return [
    journalEvent(
      entry,
      'oom_kill',
      'CRITICAL',
      {
        process,
        pid: Number(pid),
        cgroup_oom: /memory cgroup out of memory/i.test(message),
        anon_rss_bytes: anonKb !== undefined ? Number(anonKb) * 1024 : undefined,
      },
      // One per killed process: two VMs (both `kvm`) killed in one night are two problems.
      { kind: 'process', id: `${process}[${pid}]` },
    ),
  ];
}

interface KernelRule {
  re: RegExp;
  severity: 'WARNING' | 'CRITICAL';
  problem: string;
  /** Entity id: what the line names (a device, a process), or a fixed one per kind of problem. */
  id: (m: RegExpExecArray, message: string) => string;
  fields?: (m: RegExpExecArray) => Record<string, string | undefined>;
}

/** A stable id for a free-text kernel complaint: its normalised pattern's hash (numbers, addresses out). */
const patternId = (prefix: string, message: string) => `${prefix}:${patternHash(normalisePattern(message))}`;

const KERNEL_RULES: readonly KernelRule[] = [
  {
    re: /\bKernel panic - not syncing\b|\bkernel panic\b/i,
    severity: 'CRITICAL',
    problem: 'kernel panic',
    id: () => 'panic',
  },
  {
    re: /^BUG: ([^\n]{0,160})/,
    severity: 'CRITICAL',
    problem: 'kernel BUG',
    id: (_m, message) => patternId('bug', message),
  },
  {
    re: /\bEXT[234]-fs error \(device ([\w.:-]{1,64})\)/,
    severity: 'CRITICAL',
    problem: 'filesystem error',
    id: (m) => `fs:${m[1]}`,
    fields: (m) => ({ device: m[1], filesystem: 'ext4' }),
  },
  {
    re: /\bBTRFS (?:error|critical) \(device ([\w.:-]{1,64})/,
    severity: 'CRITICAL',
    problem: 'filesystem error',
    id: (m) => `fs:${m[1]}`,
    fields: (m) => ({ device: m[1], filesystem: 'btrfs' }),
  },
  {
    re: /\bXFS \(([\w.:-]{1,64})\): [^\n]{0,120}?(?:corrupt|metadata I\/O error|Shutting down|I\/O Error Detected)/i,
    severity: 'CRITICAL',
    problem: 'filesystem error',
    id: (m) => `fs:${m[1]}`,
    fields: (m) => ({ device: m[1], filesystem: 'xfs' }),
  },
  {
    re: /\bPool '([^']{1,64})' has encountered an uncorrectable I\/O failure/,
    severity: 'CRITICAL',
    problem: 'ZFS pool suspended',
    id: (m) => `zpool:${m[1]}`,
    fields: (m) => ({ pool: m[1], filesystem: 'zfs' }),
  },
  {
    re: /\bmce: \[Hardware Error\]|\bMachine Check Exception\b/i,
    severity: 'CRITICAL',
    problem: 'machine check (hardware error)',
    id: () => 'mce',
  },
  {
    // `kvm[4711]: segfault at 0 ip 00007f.. sp 00007f.. error 4 in libc.so.6[7f..+16b000] ...`
    re: /^([^\s[]{1,64})\[(\d{1,10})\]: segfault at \w{1,20} ip \w{1,20} sp \w{1,20} error \d{1,4}(?: in ([^\s[]{1,128})\[)?/,
    severity: 'WARNING',
    problem: 'segfault',
    id: (m) => `segfault:${m[1]}:${m[3] ?? '?'}`,
    fields: (m) => ({ process: m[1], pid: m[2], library: m[3] }),
  },
  {
    re: /^traps: ([^\s[]{1,64})\[(\d{1,10})\] general protection fault\b/,
    severity: 'WARNING',
    problem: 'general protection fault',
    id: (m) => `gpf:${m[1]}`,
    fields: (m) => ({ process: m[1], pid: m[2] }),
  },
  { re: /^\s{0,4}Call Trace:/, severity: 'WARNING', problem: 'kernel call trace', id: () => 'call_trace' },
];

export function detectKernelProblem(entry: JournalEntry, message: string): NotificationEvent[] | undefined {
  if (!isKernel(entry)) return undefined;
  for (const rule of KERNEL_RULES) {
    const m = rule.re.exec(message);
    if (!m) continue;
    const extra = rule.fields?.(m) ?? {};
    const fields: Record<string, string | number | undefined> = { problem: rule.problem, ...extra };
    if (extra.pid !== undefined) fields.pid = Number(extra.pid);
    return [
      journalEvent(entry, 'system_problem', rule.severity, fields, {
        kind: 'kernel',
        id: rule.id(m, message),
      }),
    ];
  }
  return undefined;
}

/** zed's all-syslog zedlet: `eid=12 class=io pool='tank' vdev=sdc1 size=... err=5 ...`. */
const ZED_RE =
  /\bclass=(io|checksum|data)\b[^\n]{0,40}?\bpool=(?:'([^']{1,64})'|(\S{1,64}))(?:[^\n]{0,20}?\bvdev=(\S{1,64}))?/;

export function detectZfsError(entry: JournalEntry, message: string): NotificationEvent[] | undefined {
  if (entry.identifier !== 'zed') return undefined;
  const m = ZED_RE.exec(message);
  if (!m) return undefined;
  const pool = m[2] ?? m[3];
  const vdev = m[4];
  return [
    journalEvent(
      entry,
      'system_problem',
      'CRITICAL',
      { problem: `ZFS ${m[1]} error`, pool, device: vdev, filesystem: 'zfs' },
      { kind: 'kernel', id: `fs:${vdev ?? pool}` },
    ),
  ];
}

/** `sdb1` → `sdb`, `nvme0n1p2` → `nvme0n1`, `ata3.00` → `ata3`: errors are counted per disk, not per partition. */
export function diskOf(device: string): string {
  const m =
    /^((?:s|v|xv|h)d[a-z]{1,3})\d{1,3}$/.exec(device) ??
    /^((?:nvme\d{1,3}n\d{1,3})|(?:mmcblk\d{1,3}))p\d{1,3}$/.exec(device) ??
    /^(ata\d{1,3})\.\d{1,3}$/.exec(device);
  return m?.[1] ?? device;
}

interface DiskRule {
  re: RegExp;
  device: (m: RegExpExecArray) => string | undefined;
  /** Errors that mean the medium itself failed; one is enough for CRITICAL. */
  hard: (m: RegExpExecArray) => boolean;
  error: (m: RegExpExecArray) => string;
}

const DISK_RULES: readonly DiskRule[] = [
  {
    // Block layer: `blk_update_request: I/O error, dev sdb, sector N ...` (≤ 5.x), `I/O error, dev sdb,
    // sector N op 0x0:(READ) ...` (≥ 5.16), `critical medium error, dev sdb, ...`, `end_request: I/O error ...` (old).
    re: /\b(I\/O|critical medium|critical target|critical nexus|critical space allocation|recoverable transport|timeout|protection) error, dev ([\w.:-]{1,64}), sector (\d{1,20})/,
    device: (m) => m[2],
    hard: (m) => m[1] === 'critical medium',
    error: (m) => `${m[1]} error`,
  },
  {
    re: /\bBuffer I\/O error on dev(?:ice)? ([\w.:-]{1,64}), logical block (\d{1,20})/,
    device: (m) => m[1],
    hard: () => true,
    error: () => 'buffer I/O error',
  },
  {
    // SCSI disk: `sd 2:0:0:0: [sdb] tag#23 Sense Key : Medium Error [current]`, `... Add. Sense: Unrecovered read error`.
    re: /^sd \d{1,4}:\d{1,4}:\d{1,4}:\d{1,4}: \[(sd[a-z]{1,3})\](?: tag#\d{1,5})? (?:Sense Key : (Medium Error|Hardware Error)|Add\. Sense: (Unrecovered read error)|(FAILED Result:)|(timing out command))/,
    device: (m) => m[1],
    hard: (m) => m[2] !== undefined || m[3] !== undefined,
    error: (m) =>
      m[2]?.toLowerCase() ?? m[3]?.toLowerCase() ?? (m[4] ? 'SCSI command failed' : 'SCSI timeout'),
  },
  {
    // libata: `ata3.00: error: { UNC }` (unreadable sector), `ata3.00: failed command: READ FPDMA QUEUED`.
    // `{ ICRC ABRT }` alone is a cable CRC error the link retries: not a disk error.
    re: /^(ata\d{1,3}(?:\.\d{1,3})?): (?:error: \{ ([A-Z ]{1,80}) \}|failed command: ([A-Z0-9 ]{1,64}))/,
    device: (m) => (m[2] !== undefined && !/\b(?:UNC|IDNF|AMNF|MC|NM|MCR)\b/.test(m[2]) ? undefined : m[1]),
    hard: (m) => m[2] !== undefined,
    error: (m) => (m[2] !== undefined ? `ATA error { ${m[2]} }` : `failed command ${m[3]}`),
  },
  {
    re: /^nvme (nvme\d{1,3}): I\/O \d{1,6} QID \d{1,5} timeout/,
    device: (m) => m[1],
    hard: () => false,
    error: () => 'NVMe I/O timeout',
  },
  {
    // `nvme0n1: I/O Cmd(0x2) @ LBA 1234, 8 blocks, I/O Error (sct 0x2 / sc 0x81) DNR` (6.x; sc 0x81 is an unrecovered read).
    re: /^(nvme\d{1,3}n\d{1,3}): I\/O Cmd\(0x\w{1,4}\) @ LBA \d{1,20}, \d{1,10} blocks, I\/O Error \(sct 0x(\w{1,2}) \/ sc 0x(\w{1,2})\)/,
    device: (m) => m[1],
    hard: (m) => m[2] === '2' && (m[3] === '81' || m[3] === '80'),
    error: (m) => `NVMe I/O error (sct 0x${m[2]} / sc 0x${m[3]})`,
  },
];

/**
 * One disk I/O error observation (kernel lines, or anything at priority err or worse). Severity here is
 * the line's own (hard error CRITICAL, else WARNING); DiskIoTiers decides whether it becomes a message.
 */
export function detectDiskIo(entry: JournalEntry, message: string): NotificationEvent[] | undefined {
  if (!isKernel(entry) && !(entry.priority !== undefined && entry.priority <= 3)) return undefined;
  for (const rule of DISK_RULES) {
    const m = rule.re.exec(message);
    if (!m) continue;
    const raw = rule.device(m);
    if (raw === undefined) return undefined;
    const device = diskOf(raw);
    const hard = rule.hard(m);
    return [
      journalEvent(
        entry,
        'disk_io_error',
        hard ? 'CRITICAL' : 'WARNING',
        { device, kernel_device: raw !== device ? raw : undefined, hard, error: rule.error(m) },
        { kind: 'disk', id: device },
      ),
    ];
  }
  return undefined;
}
