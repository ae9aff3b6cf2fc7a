import { isIP } from 'node:net';
import type { JournalEntry } from '../../health/logs/journal.js';
import type { NotificationEvent } from '../event.js';
import { journalEvent } from './journal-event.js';
import { detectDiskIo, detectKernelProblem, detectOom, detectZfsError } from './kernel-detectors.js';

/**
 * Journal line → notification events (ProxMenux Monitor's detector table, reference §3.4). PURE: no
 * state, no clock. disk_io_error comes out once per error line; the watcher's DiskIoTiers turns the
 * count per disk into a message or silence. Each line feeds at most one detector (the first that
 * matches), so one line is never two events.
 */
export function detect(entry: JournalEntry): NotificationEvent[] {
  const raw = entry.message;
  if (raw === undefined || raw === '' || isOwnLine(entry)) return [];
  const message = raw.length > MAX_MESSAGE ? raw.slice(0, MAX_MESSAGE) : raw;
  for (const detector of DETECTORS) {
    const events = detector(entry, message);
    if (events && events.length > 0) return events;
  }
  return [];
}

type Detector = (entry: JournalEntry, message: string) => NotificationEvent[] | undefined;

/** journalctl prints longer fields as null anyway; the cap bounds the work per line. */
const MAX_MESSAGE = 4096;

/** proxmon's own lines would feed back into its own notifications. */
const isOwnLine = (e: JournalEntry) =>
  e.identifier === 'proxmon' || (e.unit !== undefined && /^proxmon(?:[@.-][^\s]*)?\.service$/.test(e.unit));

/** `::ffff:203.0.113.7` (IPv4-mapped, as pvedaemon prints it) → `203.0.113.7`; anything not an address → undefined. */
export function cleanIp(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const ip = text.replace(/^::ffff:(?=\d{1,3}(?:\.\d{1,3}){3}$)/i, '');
  return isIP(ip) !== 0 ? ip : undefined;
}

const authEntity = (ip: string | undefined, user: string | undefined) =>
  ip ? { kind: 'ip', id: ip } : user ? { kind: 'user', id: user } : undefined;

const SSHD_RE = /^sshd(?:-session|-auth)?$/;
/** `Failed password for [invalid user ]U from IP port N ssh2`; publickey failures are clients offering several keys. */
const SSHD_FAILED_RE =
  /^Failed (password|keyboard-interactive\/pam|none) for (invalid user )?(.{0,128}?) from (\S{1,64}) port \d{1,5}/;
/** pam_unix(<service>:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=IP  user=U */
const PAM_FAILED_RE = /pam_unix\(([\w.@-]{1,64}):auth\): authentication failure;(.{0,400})$/;
/** pvedaemon/pveproxy: `authentication failure; rhost=::ffff:IP user=root@pam msg=Authentication failure` */
const PVE_FAILED_RE = /^authentication failure; rhost=(\S{0,64}) user=(\S{1,128})(?: msg=(.{0,200}))?/;
/**
 * PAM services whose failures the daemon logs again in its own words: sshd ("Failed password", with the
 * port), and Proxmox VE's login (pvedaemon's line, with the realm). Counting both would double every attempt.
 */
const PAM_SKIP = new Set(['sshd', 'common-auth', 'proxmox-ve-auth']);

const detectAuth: Detector = (entry, message) => {
  const id = entry.identifier ?? '';
  if (SSHD_RE.test(id)) {
    const m = SSHD_FAILED_RE.exec(message);
    if (!m) return undefined;
    const ip = cleanIp(m[4]);
    return [
      journalEvent(
        entry,
        'auth_fail',
        'WARNING',
        {
          service: 'sshd',
          username: m[3],
          source_ip: ip ?? m[4],
          method: m[1],
          invalid_user: m[2] !== undefined,
        },
        authEntity(ip ?? m[4], m[3]),
      ),
    ];
  }
  if (id === 'pvedaemon' || id === 'pveproxy') {
    const m = PVE_FAILED_RE.exec(message);
    if (!m) return undefined;
    const ip = cleanIp(m[1]);
    return [
      journalEvent(
        entry,
        'auth_fail',
        'WARNING',
        { service: id, username: m[2], source_ip: ip, detail: m[3] },
        authEntity(ip, m[2]),
      ),
    ];
  }
  const pam = PAM_FAILED_RE.exec(message);
  if (!pam || PAM_SKIP.has(pam[1]!)) return undefined;
  const kv = keyValues(pam[2]!);
  const ip = cleanIp(kv.rhost);
  const user = kv.user || kv.ruser || kv.logname || undefined;
  return [
    journalEvent(
      entry,
      'auth_fail',
      'WARNING',
      { service: pam[1], username: user, source_ip: ip ?? (kv.rhost || undefined), tty: kv.tty || undefined },
      authEntity(ip ?? (kv.rhost || undefined), user),
    ),
  ];
};

/** `k=v k2= k3=v3` (empty values allowed), as PAM prints them. */
function keyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w{1,16})=(\S{0,128})/g)) out[m[1]!] = m[2]!;
  return out;
}

/** `fail2ban.actions [745]: NOTICE [sshd] Ban 192.0.2.1`; `Restore Ban` (re-applied at start) and `Unban` are not new bans. */
const F2B_BAN_RE = /\[([^\]\s]{1,64})\]\s{1,8}Ban\s{1,8}(\S{1,64})\s*$/;

const detectFail2ban: Detector = (entry, message) => {
  if (!/^fail2ban/i.test(entry.identifier ?? '') && !/^fail2ban\./.test(message)) return undefined;
  const m = F2B_BAN_RE.exec(message);
  if (!m) return undefined;
  const ip = cleanIp(m[2]) ?? m[2]!;
  return [journalEvent(entry, 'ip_block', 'INFO', { source_ip: ip, jail: m[1] }, { kind: 'ip', id: ip })];
};

const UNIT = String.raw`[\w@:.\\-]{1,200}?\.(?:service|socket|mount|automount|swap|timer|path|scope|slice|target)`;
const SERVICE_FAILED_RES = [
  new RegExp(`^(${UNIT}): Failed with result '([\\w-]{1,40})'`),
  // systemd ≥ 250 names the unit: `Failed to start pveproxy.service - PVE API Proxy Server.`; older versions
  // print only the description, and their `Failed with result` line (≥ 236) already named the unit.
  new RegExp(`^Failed to start (${UNIT})(?: - |\\.?$)`),
  new RegExp(`^Unit (${UNIT}) entered failed state`),
];
/** Units whose failure is noise or reported elsewhere: logins, user managers, transient mounts, crash dumps, proxmon. */
const IGNORED_UNIT =
  /^(?:session-\w+\.scope|user@\d+\.service|user-runtime-dir@\d+\.service|run-[^\s]*\.mount|systemd-coredump@[^\s]*|proxmon(?:[@.-][^\s]*)?\.service)$/;

/** `pve-container@101.service` → CT 101, `qemu-server@100.service` / `100.scope` → VM 100. */
function guestOfUnit(unit: string): { vmid: number; guest_type: 'ct' | 'vm' } | undefined {
  const ct = /^pve-container@(\d{1,9})\.service$/.exec(unit);
  if (ct) return { vmid: Number(ct[1]), guest_type: 'ct' };
  const vm = /^(?:qemu-server@(\d{1,9})\.service|(\d{1,9})\.scope)$/.exec(unit);
  if (vm) return { vmid: Number(vm[1] ?? vm[2]), guest_type: 'vm' };
  return undefined;
}

const detectServiceFailure: Detector = (entry, message) => {
  if (entry.identifier !== 'systemd' || (entry.unit !== undefined && /^user@/.test(entry.unit)))
    return undefined;
  for (const re of SERVICE_FAILED_RES) {
    const m = re.exec(message);
    if (!m) continue;
    const unit = m[1]!;
    const result = m[2];
    // A guest scope killed by the OOM killer is already an oom_kill.
    if (IGNORED_UNIT.test(unit) || (result === 'oom-kill' && /^\d+\.scope$/.test(unit))) return [];
    const guest = guestOfUnit(unit);
    return [
      journalEvent(
        entry,
        'service_fail',
        'WARNING',
        { service: unit, result, ...(guest ?? {}) },
        guest ? { kind: 'guest', id: String(guest.vmid) } : { kind: 'service', id: unit },
      ),
    ];
  }
  return undefined;
};

const CLUSTER_IDS = new Set([
  'corosync',
  'pmxcfs',
  'pve-ha-crm',
  'pve-ha-lrm',
  'corosync-qdevice',
  'corosync-qnetd',
]);
/** pve-ha-crm: `node 'pve2': state changed from 'online' => 'unknown'`. */
const HA_NODE_STATE_RE = /^node '([^']{1,64})': state changed from '(\w{1,20})' => '(\w{1,20})'/;
/** corosync 3: `[TOTEM ] A new membership (1.2d5) was formed. Members joined: 2 left: 3` (either part optional). */
const MEMBERSHIP_RE =
  /A new membership \([^)]{1,40}\) was formed\. Members(?: joined:((?: \d{1,5}){1,64}))?(?: left:((?: \d{1,5}){1,64}))?/;

const detectCluster: Detector = (entry, message) => {
  const id = entry.identifier ?? '';
  const here = entry.hostname ?? 'this node';
  const event = (
    type: string,
    severity: 'INFO' | 'CRITICAL',
    node: string,
    extra: Record<string, string> = {},
  ) => journalEvent(entry, type, severity, { node, ...extra }, { kind: 'node', id: node });
  if (
    /\bsplit[- ]?brain\b/i.test(message) ||
    (CLUSTER_IDS.has(id) && /\bfencing required\b|\bcluster partition\b/i.test(message))
  )
    return [event('split_brain', 'CRITICAL', here)];
  if (!CLUSTER_IDS.has(id)) return undefined;
  const ha = HA_NODE_STATE_RE.exec(message);
  if (ha) {
    const node = ha[1]!;
    const from = ha[2]!;
    const to = ha[3]!;
    if (to === 'fence') return [event('split_brain', 'CRITICAL', node, { state: to })];
    if (from === 'online' && to !== 'online')
      return [event('node_disconnect', 'CRITICAL', node, { state: to })];
    if (to === 'online' && from !== 'online') return [event('node_reconnect', 'INFO', node, { state: to })];
    return [];
  }
  const membership = MEMBERSHIP_RE.exec(message);
  if (membership) {
    const ids = (s: string | undefined) => (s ?? '').trim().split(/\s+/).filter(Boolean);
    return [
      ...ids(membership[2]).map((n) => event('node_disconnect', 'CRITICAL', n, { nodeid: n })),
      ...ids(membership[1]).map((n) => event('node_reconnect', 'INFO', n, { nodeid: n })),
    ];
  }
  const noLinks = /\bhost: (\d{1,5}) has no active links\b/.exec(message);
  if (noLinks) return [event('node_disconnect', 'CRITICAL', noLinks[1]!, { nodeid: noLinks[1]! })];
  if (/\bwill NOT provide any services\b|\bnode lost quorum\b|\bquorum lost\b|\blost quorum\b/i.test(message))
    return [event('node_disconnect', 'CRITICAL', here, { quorum: 'lost' })];
  if (/\bwithin the primary component and will provide service\b|\bnode has quorum\b/i.test(message))
    return [event('node_reconnect', 'INFO', here, { quorum: 'regained' })];
  return undefined;
};

const REBOOT_RE =
  /^(?:System is rebooting\b|The system will reboot now\b|Reached target (?:System )?Reboot\b)/;
const POWEROFF_RE =
  /^(?:System is (?:powering (?:down|off)|halting)\b|The system will power off now\b|Reached target (?:System )?(?:Power[- ]?Off|Halt)\b)/i;

/** `Startup finished in 6.412s (kernel) + 1min 2.315s (userspace) = 1min 8.727s.` */
const STARTUP_RE = /^Startup finished in [^=]{1,300}= ([^=]{1,40}?)\.$/;

const detectPowerState: Detector = (entry, message) => {
  const id = entry.identifier ?? '';
  if (id !== 'systemd-logind' && id !== 'systemd' && id !== 'systemd-shutdown') return undefined;
  if (entry.unit !== undefined && /^user@/.test(entry.unit)) return undefined;
  const host = { kind: 'host', id: entry.hostname ?? 'local' };
  // The system manager's own line at the end of boot (user managers print it too, under user@N).
  const started = id === 'systemd' ? STARTUP_RE.exec(message) : null;
  if (started) return [journalEvent(entry, 'system_startup', 'INFO', { boot_time: started[1] }, host)];
  const type = REBOOT_RE.test(message)
    ? 'system_reboot'
    : POWEROFF_RE.test(message)
      ? 'system_shutdown'
      : undefined;
  if (!type) return undefined;
  // logind and systemd both announce it: one entity, so the watcher's dedupe keeps one.
  return [journalEvent(entry, type, 'INFO', {}, host)];
};

interface PermissionRule {
  re: RegExp;
  change: (m: RegExpExecArray) => { action: string; username?: string; group?: string; by?: string };
}

/**
 * shadow-utils' syslog lines (useradd, usermod, userdel, gpasswd). Proxmox VE itself does not log
 * user, ACL or role changes to the journal (pve-access-control's API handlers write user.cfg silently),
 * so the generic rule for its daemons only catches what a script or plugin logs there.
 */
const PERMISSION_RULES: readonly PermissionRule[] = [
  { re: /^new user: name=([^,\s]{1,64}),/, change: (m) => ({ action: 'user added', username: m[1] }) },
  { re: /^delete user '([^']{1,64})'/, change: (m) => ({ action: 'user deleted', username: m[1] }) },
  {
    re: /^add '([^']{1,64})' to group '([^']{1,64})'/,
    change: (m) => ({ action: 'added to group', username: m[1], group: m[2] }),
  },
  {
    re: /^delete '([^']{1,64})' from group '([^']{1,64})'/,
    change: (m) => ({ action: 'removed from group', username: m[1], group: m[2] }),
  },
  {
    re: /^user (\S{1,64}) (added|removed) by (\S{1,64}) (?:to|from) group (\S{1,64})/,
    change: (m) => ({
      action: m[2] === 'added' ? 'added to group' : 'removed from group',
      username: m[1],
      by: m[3],
      group: m[4],
    }),
  },
];
const PERMISSION_TOOLS = new Set([
  'useradd',
  'usermod',
  'userdel',
  'gpasswd',
  'groupmod',
  'adduser',
  'deluser',
]);
const PVE_PERMISSION_RE =
  /\b(?:acl|permissions?|roles?)\b[^\n]{0,80}?\b(?:updated?|modified|assigned|set|changed|added|removed|deleted)\b|\brole assigned\b/i;

const detectPermissionChange: Detector = (entry, message) => {
  const id = entry.identifier ?? '';
  if (PERMISSION_TOOLS.has(id)) {
    for (const rule of PERMISSION_RULES) {
      const m = rule.re.exec(message);
      if (!m) continue;
      const change = rule.change(m);
      return [
        journalEvent(
          entry,
          'user_permission_change',
          'INFO',
          { ...change, tool: id },
          change.username ? { kind: 'user', id: change.username } : undefined,
        ),
      ];
    }
    return undefined;
  }
  if ((id === 'pvedaemon' || id === 'pveproxy' || id === 'pveum') && PVE_PERMISSION_RE.test(message))
    return [
      journalEvent(entry, 'user_permission_change', 'INFO', { action: 'PVE permissions changed', tool: id }),
    ];
  return undefined;
};

const detectFirewall: Detector = (entry, message) => {
  const id = entry.identifier ?? '';
  if (id !== 'pve-firewall' && id !== 'proxmox-firewall') return undefined;
  if (!/\b(?:error|failed|unable)\b/i.test(message)) return undefined;
  return [journalEvent(entry, 'firewall_issue', 'WARNING', { service: id }, { kind: 'service', id })];
};

/** `INFO: starting new backup job: vzdump 100 101 --mode snapshot --storage local --node pve1` */
const BACKUP_START_RE = /\bstarting new backup job: vzdump\b(.{0,1000})$/;

const detectBackupStart: Detector = (entry, message) => {
  const m = BACKUP_START_RE.exec(message);
  if (!m) return undefined;
  const args = m[1]!.trim();
  const vmids = /^((?:\d{1,9}\s*)*)/.exec(args)?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
  const opt = (name: string) => new RegExp(`--${name}[ =](\\S{1,128})`).exec(args)?.[1];
  return [
    journalEvent(entry, 'backup_start', 'INFO', {
      vmids: vmids.length > 0 ? vmids.join(',') : undefined,
      all: opt('all') === '1' || undefined,
      storage: opt('storage'),
      mode: opt('mode'),
      job_id: opt('job-id'),
    }),
  ];
};

const DETECTORS: readonly Detector[] = [
  detectAuth,
  detectFail2ban,
  detectOom,
  detectKernelProblem,
  detectDiskIo,
  detectZfsError,
  detectServiceFailure,
  detectCluster,
  detectPowerState,
  detectPermissionChange,
  detectFirewall,
  detectBackupStart,
];

/**
 * Types where each line is one occurrence the pipeline must count (a burst of failed logins), so the
 * watcher's 30 s dedupe of identical fingerprints would hide the burst. Their detectors already avoid
 * reporting one attempt twice (sshd's own PAM line is skipped).
 */
export const COUNT_EACH_LINE: ReadonlySet<string> = new Set(['auth_fail']);
