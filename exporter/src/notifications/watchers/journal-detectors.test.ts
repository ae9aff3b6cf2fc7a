import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../health/logs/journal.js';
import { eventDef, isKnownEvent } from '../catalogue.js';
import { cleanIp, detect } from './journal-detectors.js';
import { diskOf } from './kernel-detectors.js';

/** tests/journal.ts, loaded at run time: it lies outside the exporter's rootDir, so no static import. */
interface ExportEntry {
  timeMs: number;
  message: string | Uint8Array;
  priority?: number;
  identifier?: string;
  unit?: string;
  pid?: number;
  hostname?: string;
}
const { readJournalFixture } = (await import(
  new URL('../../../../tests/journal.ts', import.meta.url).href
)) as {
  readJournalFixture(name: string): ExportEntry[];
};

const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);

function entry(
  identifier: string | undefined,
  message: string,
  extra: Partial<JournalEntry> = {},
): JournalEntry {
  return {
    cursor: 's=1;i=1',
    timeMs: T0,
    message,
    priority: 6,
    unit: undefined,
    identifier,
    pid: 1234,
    hostname: 'pve1',
    bootId: undefined,
    ...extra,
  };
}

/** The export fixtures as journalctl would hand them over (no journalctl needed for pure detection). */
function fixtureEntries(name: string): JournalEntry[] {
  return readJournalFixture(name).map((e, i) => ({
    cursor: String(i),
    timeMs: Math.round(e.timeMs),
    message: typeof e.message === 'string' ? e.message : Buffer.from(e.message).toString('utf8'),
    priority: e.priority,
    unit: e.unit,
    identifier: e.identifier,
    pid: e.pid,
    hostname: e.hostname ?? 'pve1',
    bootId: undefined,
  }));
}

interface Want {
  type: string;
  severity: string;
  fields?: Record<string, unknown>;
  entity?: { kind: string; id: string } | undefined;
}
type Row = [
  label: string,
  identifier: string | undefined,
  message: string,
  want: Want | null,
  extra?: Partial<JournalEntry>,
];

/**
 * Lines in the formats the programs print (OpenSSH 8–10, Linux-PAM, pvedaemon, fail2ban 0.11–1.1,
 * kernel 5.x–6.x, systemd 241–257, corosync 3, pve-ha-crm, shadow-utils, vzdump). Addresses are from
 * the documentation ranges.
 */
const ROWS: Row[] = [
  // authentication
  [
    'sshd password failure',
    'sshd',
    'Failed password for root from 203.0.113.7 port 52144 ssh2',
    {
      type: 'auth_fail',
      severity: 'WARNING',
      fields: {
        service: 'sshd',
        username: 'root',
        source_ip: '203.0.113.7',
        invalid_user: false,
        method: 'password',
      },
      entity: { kind: 'ip', id: '203.0.113.7' },
    },
  ],
  [
    'sshd invalid user',
    'sshd',
    'Failed password for invalid user admin0 from 203.0.113.7 port 52144 ssh2',
    { type: 'auth_fail', severity: 'WARNING', fields: { username: 'admin0', invalid_user: true } },
  ],
  [
    'sshd-session (OpenSSH ≥ 9.8), empty user name, IPv6',
    'sshd-session',
    'Failed password for invalid user  from 2001:db8::5 port 40022 ssh2',
    {
      type: 'auth_fail',
      severity: 'WARNING',
      fields: { username: '', source_ip: '2001:db8::5' },
      entity: { kind: 'ip', id: '2001:db8::5' },
    },
  ],
  [
    'sshd keyboard-interactive',
    'sshd',
    'Failed keyboard-interactive/pam for root from 198.51.100.23 port 2201 ssh2',
    { type: 'auth_fail', severity: 'WARNING', fields: { method: 'keyboard-interactive/pam' } },
  ],
  [
    'sshd publickey offered and refused',
    'sshd',
    'Failed publickey for root from 198.51.100.23 port 2201 ssh2: RSA SHA256:x',
    null,
  ],
  [
    'sshd invalid user line (the Failed line counts it)',
    'sshd',
    'Invalid user admin0 from 203.0.113.7 port 52144',
    null,
  ],
  [
    "sshd's PAM line (the Failed line counts it)",
    'sshd',
    'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root',
    null,
  ],
  [
    'PAM su failure, no remote host',
    'su',
    'pam_unix(su:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 ruser=alice rhost=  user=root',
    {
      type: 'auth_fail',
      severity: 'WARNING',
      fields: { service: 'su', username: 'root', tty: '/dev/pts/0' },
      entity: { kind: 'user', id: 'root' },
    },
  ],
  [
    'PAM failure with an IPv4-mapped rhost',
    'cockpit-session',
    'pam_unix(cockpit:auth): authentication failure; logname= uid=0 euid=0 tty= ruser= rhost=::ffff:198.51.100.9 user=admin',
    {
      type: 'auth_fail',
      severity: 'WARNING',
      fields: { service: 'cockpit', username: 'admin', source_ip: '198.51.100.9' },
      entity: { kind: 'ip', id: '198.51.100.9' },
    },
  ],
  [
    'pvedaemon web UI login failure',
    'pvedaemon',
    'authentication failure; rhost=::ffff:203.0.113.7 user=root@pam msg=Authentication failure',
    {
      type: 'auth_fail',
      severity: 'WARNING',
      fields: {
        service: 'pvedaemon',
        username: 'root@pam',
        source_ip: '203.0.113.7',
        detail: 'Authentication failure',
      },
      entity: { kind: 'ip', id: '203.0.113.7' },
    },
  ],
  [
    'pvedaemon failure with no remote host',
    'pvedaemon',
    'authentication failure; rhost= user=root@pam msg=Authentication failure',
    { type: 'auth_fail', severity: 'WARNING', entity: { kind: 'user', id: 'root@pam' } },
  ],
  [
    "PVE's own PAM line (pvedaemon's line counts it)",
    'IPCC.xs',
    'pam_unix(common-auth:auth): authentication failure; logname= uid=0 euid=0 tty= ruser= rhost=  user=root',
    null,
  ],
  ['pvedaemon successful login', 'pvedaemon', "<root@pam> successful auth for user 'root@pam'", null],
  // fail2ban
  [
    'fail2ban ban (syslog format)',
    'fail2ban-server',
    'fail2ban.actions        [1042]: NOTICE  [sshd] Ban 203.0.113.7',
    {
      type: 'ip_block',
      severity: 'INFO',
      fields: { source_ip: '203.0.113.7', jail: 'sshd' },
      entity: { kind: 'ip', id: '203.0.113.7' },
    },
  ],
  [
    'fail2ban ban (journal handler)',
    'fail2ban',
    'NOTICE  [proxmox] Ban 2001:db8::7',
    { type: 'ip_block', severity: 'INFO', fields: { source_ip: '2001:db8::7', jail: 'proxmox' } },
  ],
  [
    'fail2ban restoring bans at start',
    'fail2ban-server',
    'fail2ban.actions [1042]: NOTICE  [sshd] Restore Ban 203.0.113.7',
    null,
  ],
  ['fail2ban unban', 'fail2ban-server', 'fail2ban.actions [1042]: NOTICE  [sshd] Unban 203.0.113.7', null],
  // kernel
  [
    'global OOM kill',
    'kernel',
    'Out of memory: Killed process 48213 (kvm) total-vm:17134592kB, anon-rss:16612344kB, file-rss:2816kB, shmem-rss:0kB, UID:0 pgtables:33036kB oom_score_adj:0',
    {
      type: 'oom_kill',
      severity: 'CRITICAL',
      fields: { process: 'kvm', pid: 48213, cgroup_oom: false, anon_rss_bytes: 16612344 * 1024 },
      entity: { kind: 'process', id: 'kvm[48213]' },
    },
  ],
  [
    'cgroup OOM kill',
    'kernel',
    'Memory cgroup out of memory: Killed process 3120 (node) total-vm:1234560kB, anon-rss:512000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:2048kB oom_score_adj:0',
    { type: 'oom_kill', severity: 'CRITICAL', fields: { process: 'node', cgroup_oom: true } },
  ],
  [
    'OOM reaper follow-up',
    'kernel',
    'oom_reaper: reaped process 48213 (kvm), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB',
    null,
  ],
  ['a user process printing the words', 'myapp', 'Killed process 4 (x)', null],
  [
    'kernel panic',
    'kernel',
    'Kernel panic - not syncing: Fatal exception in interrupt',
    {
      type: 'system_problem',
      severity: 'CRITICAL',
      fields: { problem: 'kernel panic' },
      entity: { kind: 'kernel', id: 'panic' },
    },
  ],
  [
    'kernel BUG',
    'kernel',
    'BUG: unable to handle page fault for address: ffffb1c2c0a3f000',
    { type: 'system_problem', severity: 'CRITICAL', fields: { problem: 'kernel BUG' } },
  ],
  [
    'ext4 error',
    'kernel',
    'EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0',
    {
      type: 'system_problem',
      severity: 'CRITICAL',
      fields: { problem: 'filesystem error', device: 'sda1', filesystem: 'ext4' },
      entity: { kind: 'kernel', id: 'fs:sda1' },
    },
  ],
  [
    'btrfs error (6.x state flags)',
    'kernel',
    'BTRFS error (device sdb1 state EA): bdev /dev/sdb1 errs: wr 0, rd 1, flush 0, corrupt 0, gen 0',
    { type: 'system_problem', severity: 'CRITICAL', fields: { device: 'sdb1', filesystem: 'btrfs' } },
  ],
  [
    'xfs corruption',
    'kernel',
    'XFS (dm-3): Corruption detected. Unmount and run xfs_repair',
    { type: 'system_problem', severity: 'CRITICAL', fields: { device: 'dm-3', filesystem: 'xfs' } },
  ],
  [
    'ZFS pool suspended',
    'kernel',
    "WARNING: Pool 'tank' has encountered an uncorrectable I/O failure and has been suspended.",
    {
      type: 'system_problem',
      severity: 'CRITICAL',
      fields: { pool: 'tank' },
      entity: { kind: 'kernel', id: 'zpool:tank' },
    },
  ],
  [
    'zed I/O error event',
    'zed',
    "eid=12 class=io pool='rpool' vdev=sdc1 size=4096 offset=1048576 priority=0 err=5 flags=0x180880",
    {
      type: 'system_problem',
      severity: 'CRITICAL',
      fields: { problem: 'ZFS io error', pool: 'rpool', device: 'sdc1' },
      entity: { kind: 'kernel', id: 'fs:sdc1' },
    },
  ],
  ['zed history event', 'zed', 'eid=88707 class=history_event pool_guid=0xDA872717F3687D9D', null],
  [
    'machine check',
    'kernel',
    'mce: [Hardware Error]: Machine check events logged',
    { type: 'system_problem', severity: 'CRITICAL', entity: { kind: 'kernel', id: 'mce' } },
  ],
  [
    'segfault',
    'kernel',
    'pvestatd[1822]: segfault at 0 ip 00007f3c9a8e1b2d sp 00007ffd2b1c1a40 error 4 in libc.so.6[7f3c9a86b000+155000] likely on CPU 3 (core 3, socket 0)',
    {
      type: 'system_problem',
      severity: 'WARNING',
      fields: { problem: 'segfault', process: 'pvestatd', pid: 1822, library: 'libc.so.6' },
      entity: { kind: 'kernel', id: 'segfault:pvestatd:libc.so.6' },
    },
  ],
  [
    'call trace',
    'kernel',
    'Call Trace:',
    { type: 'system_problem', severity: 'WARNING', fields: { problem: 'kernel call trace' } },
  ],
  ['guest port joining a bridge', 'kernel', 'vmbr0: port 3(tap105i0) entered forwarding state', null],
  // disk I/O (one observation per line; the tiers decide)
  [
    'block layer, 4.x–5.x',
    'kernel',
    'blk_update_request: I/O error, dev sdc, sector 1953120 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0',
    {
      type: 'disk_io_error',
      severity: 'WARNING',
      fields: { device: 'sdc', hard: false, error: 'I/O error' },
      entity: { kind: 'disk', id: 'sdc' },
    },
  ],
  [
    'block layer, critical medium error',
    'kernel',
    'critical medium error, dev nvme0n1, sector 4096 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 2',
    { type: 'disk_io_error', severity: 'CRITICAL', fields: { device: 'nvme0n1', hard: true } },
  ],
  [
    'buffer I/O error on a partition',
    'kernel',
    'Buffer I/O error on dev sdb1, logical block 244139, async page read',
    {
      type: 'disk_io_error',
      severity: 'CRITICAL',
      fields: { device: 'sdb', kernel_device: 'sdb1', hard: true },
    },
  ],
  [
    'SCSI medium error',
    'kernel',
    'sd 0:0:1:0: [sdb] tag#12 Sense Key : Medium Error [current]',
    { type: 'disk_io_error', severity: 'CRITICAL', fields: { device: 'sdb', error: 'medium error' } },
  ],
  [
    'libata UNC',
    'kernel',
    'ata3.00: error: { UNC }',
    { type: 'disk_io_error', severity: 'CRITICAL', fields: { device: 'ata3', kernel_device: 'ata3.00' } },
  ],
  ['libata cable CRC error', 'kernel', 'ata2.00: error: { ICRC ABRT }', null],
  [
    'NVMe unrecovered read (6.x)',
    'kernel',
    'nvme0n1: I/O Cmd(0x2) @ LBA 1234, 8 blocks, I/O Error (sct 0x2 / sc 0x81) DNR',
    { type: 'disk_io_error', severity: 'CRITICAL', fields: { device: 'nvme0n1', hard: true } },
  ],
  ['an I/O error line from a user process at info', 'rsync', 'I/O error, dev sdb, sector 1 op 0x0', null],
  // services
  [
    'service failed (systemd ≥ 236)',
    'systemd',
    "zfs-import@tank.service: Failed with result 'exit-code'.",
    {
      type: 'service_fail',
      severity: 'WARNING',
      fields: { service: 'zfs-import@tank.service', result: 'exit-code' },
      entity: { kind: 'service', id: 'zfs-import@tank.service' },
    },
  ],
  [
    'failed to start (systemd ≥ 250 names the unit)',
    'systemd',
    'Failed to start pveproxy.service - PVE API Proxy Server.',
    { type: 'service_fail', severity: 'WARNING', fields: { service: 'pveproxy.service' } },
  ],
  [
    'failed to start (older systemd: description only)',
    'systemd',
    'Failed to start PVE API Proxy Server.',
    null,
  ],
  [
    'entered failed state (systemd ≤ 235)',
    'systemd',
    'Unit pve-cluster.service entered failed state.',
    { type: 'service_fail', severity: 'WARNING', fields: { service: 'pve-cluster.service' } },
  ],
  [
    'container service → guest',
    'systemd',
    "pve-container@101.service: Failed with result 'exit-code'.",
    {
      type: 'service_fail',
      severity: 'WARNING',
      fields: { service: 'pve-container@101.service', vmid: 101, guest_type: 'ct' },
      entity: { kind: 'guest', id: '101' },
    },
  ],
  [
    'qemu-server unit → guest',
    'systemd',
    "qemu-server@100.service: Failed with result 'timeout'.",
    {
      type: 'service_fail',
      severity: 'WARNING',
      fields: { vmid: 100, guest_type: 'vm' },
      entity: { kind: 'guest', id: '100' },
    },
  ],
  [
    'VM scope killed for memory (an oom_kill already)',
    'systemd',
    "100.scope: Failed with result 'oom-kill'.",
    null,
  ],
  ['session scope', 'systemd', "session-412.scope: Failed with result 'exit-code'.", null],
  ['user manager', 'systemd', "user@0.service: Failed with result 'exit-code'.", null],
  [
    'transient mount',
    'systemd',
    "run-docker-runtime\\x2drunc-moby.mount: Failed with result 'exit-code'.",
    null,
  ],
  ['proxmon itself', 'systemd', "proxmon.service: Failed with result 'exit-code'.", null],
  [
    "a user manager's units",
    'systemd',
    "dbus.service: Failed with result 'exit-code'.",
    null,
    { unit: 'user@1000.service' },
  ],
  // cluster
  [
    'corosync: node left',
    'corosync',
    '[TOTEM ] A new membership (1.2d5) was formed. Members left: 2',
    {
      type: 'node_disconnect',
      severity: 'CRITICAL',
      fields: { node: '2', nodeid: '2' },
      entity: { kind: 'node', id: '2' },
    },
  ],
  [
    'corosync: node joined',
    'corosync',
    '[TOTEM ] A new membership (1.2d9) was formed. Members joined: 3',
    { type: 'node_reconnect', severity: 'INFO', fields: { node: '3' } },
  ],
  [
    'corosync: quorum lost',
    'corosync',
    '[QUORUM] This node is within the non-primary component and will NOT provide any services.',
    { type: 'node_disconnect', severity: 'CRITICAL', fields: { node: 'pve1', quorum: 'lost' } },
  ],
  [
    'pmxcfs: quorum regained',
    'pmxcfs',
    '[status] notice: node has quorum',
    { type: 'node_reconnect', severity: 'INFO', fields: { node: 'pve1' } },
  ],
  [
    'knet: no links to a host',
    'corosync',
    '[KNET  ] host: host: 3 has no active links',
    { type: 'node_disconnect', severity: 'CRITICAL', fields: { nodeid: '3' } },
  ],
  [
    'HA manager: node unreachable',
    'pve-ha-crm',
    "node 'pve2': state changed from 'online' => 'unknown'",
    {
      type: 'node_disconnect',
      severity: 'CRITICAL',
      fields: { node: 'pve2', state: 'unknown' },
      entity: { kind: 'node', id: 'pve2' },
    },
  ],
  [
    'HA manager: fencing',
    'pve-ha-crm',
    "node 'pve2': state changed from 'unknown' => 'fence'",
    { type: 'split_brain', severity: 'CRITICAL', fields: { node: 'pve2' } },
  ],
  [
    'DRBD split brain (kernel)',
    'kernel',
    'drbd r0: Split-Brain detected but unresolved, dropping connection!',
    { type: 'split_brain', severity: 'CRITICAL' },
  ],
  ['corosync sync chatter', 'corosync', '[QUORUM] Sync members[3]: 1 2 3', null],
  // shutdown and reboot
  [
    'logind reboot',
    'systemd-logind',
    'System is rebooting.',
    { type: 'system_reboot', severity: 'INFO', entity: { kind: 'host', id: 'pve1' } },
  ],
  [
    'logind power off',
    'systemd-logind',
    'System is powering down.',
    { type: 'system_shutdown', severity: 'INFO' },
  ],
  [
    'systemd reboot target',
    'systemd',
    'Reached target System Reboot.',
    { type: 'system_reboot', severity: 'INFO' },
  ],
  [
    'systemd power-off target',
    'systemd',
    'Reached target System Power Off.',
    { type: 'system_shutdown', severity: 'INFO' },
  ],
  [
    'boot finished',
    'systemd',
    'Startup finished in 6.412s (kernel) + 1min 2.315s (userspace) = 1min 8.727s.',
    {
      type: 'system_startup',
      severity: 'INFO',
      fields: { boot_time: '1min 8.727s' },
      entity: { kind: 'host', id: 'pve1' },
    },
  ],
  ['a user manager started', 'systemd', 'Startup finished in 112ms.', null, { unit: 'user@0.service' }],
  // permissions
  [
    'useradd',
    'useradd',
    'new user: name=bob, UID=1001, GID=1001, home=/home/bob, shell=/bin/bash, from=/dev/pts/0',
    {
      type: 'user_permission_change',
      severity: 'INFO',
      fields: { action: 'user added', username: 'bob' },
      entity: { kind: 'user', id: 'bob' },
    },
  ],
  [
    'usermod adds to sudo',
    'usermod',
    "add 'bob' to group 'sudo'",
    {
      type: 'user_permission_change',
      severity: 'INFO',
      fields: { action: 'added to group', username: 'bob', group: 'sudo' },
    },
  ],
  [
    'gpasswd removes',
    'gpasswd',
    'user bob removed by root from group sudo',
    {
      type: 'user_permission_change',
      severity: 'INFO',
      fields: { action: 'removed from group', by: 'root', group: 'sudo' },
    },
  ],
  [
    'userdel',
    'userdel',
    "delete user 'bob'",
    { type: 'user_permission_change', severity: 'INFO', fields: { action: 'user deleted' } },
  ],
  // firewall
  [
    'pve-firewall error',
    'pve-firewall',
    "status update error: iptables_restore_cmdlist: Try `iptables-restore -h' or 'iptables-restore --help' for more information.",
    {
      type: 'firewall_issue',
      severity: 'WARNING',
      fields: { service: 'pve-firewall' },
      entity: { kind: 'service', id: 'pve-firewall' },
    },
  ],
  ['pve-firewall routine', 'pve-firewall', 'starting server', null],
  // backup start
  [
    'vzdump job start',
    'vzdump',
    'INFO: starting new backup job: vzdump 100 101 --mode snapshot --storage local --compress zstd --node pve1',
    {
      type: 'backup_start',
      severity: 'INFO',
      fields: { vmids: '100,101', mode: 'snapshot', storage: 'local' },
    },
  ],
  [
    'scheduled job over all guests',
    'pvescheduler',
    'INFO: starting new backup job: vzdump --all 1 --storage pbs --mode snapshot --job-id backup-6f2a1b3c-4d5e',
    {
      type: 'backup_start',
      severity: 'INFO',
      fields: { all: true, storage: 'pbs', job_id: 'backup-6f2a1b3c-4d5e' },
    },
  ],
  // never
  ["proxmon's own lines", 'proxmon', 'Failed password for root from 203.0.113.7 port 1 ssh2', null],
];

describe('detect', () => {
  it.each(ROWS)('%s', (_label, identifier, message, want, extra) => {
    const events = detect(entry(identifier, message, extra));
    if (want === null) {
      expect(events).toEqual([]);
      return;
    }
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e).toMatchObject({ type: want.type, severity: want.severity, source: 'journal', at: T0 });
    expect(e.fields.reason).toBe(`${identifier}: ${message}`);
    if (want.fields) expect(e.fields).toMatchObject(want.fields);
    if (want.entity) expect(e.entity).toEqual(want.entity);
    expect(isKnownEvent(e.type)).toBe(true);
    expect(eventDef(e.type).emitter).toBe('journal');
  });

  it('never puts undefined into fields', () => {
    for (const [, identifier, message, , extra] of ROWS)
      for (const e of detect(entry(identifier, message, extra)))
        for (const [k, v] of Object.entries(e.fields)) expect(v, `${e.type}.${k}`).not.toBeUndefined();
  });

  it('auth-failures.export: one event per attempt (4 sshd, 3 pvedaemon), none for PAM or successes', () => {
    const events = fixtureEntries('auth-failures.export').flatMap(detect);
    expect(events.map((e) => [e.type, e.fields.service, e.fields.username])).toEqual([
      ['auth_fail', 'sshd', 'admin0'],
      ['auth_fail', 'sshd', 'admin1'],
      ['auth_fail', 'sshd', 'admin2'],
      ['auth_fail', 'sshd', 'admin3'],
      ['auth_fail', 'pvedaemon', 'root@pam'],
      ['auth_fail', 'pvedaemon', 'root@pam'],
      ['auth_fail', 'pvedaemon', 'root@pam'],
    ]);
    expect(new Set(events.map((e) => e.entity?.id))).toEqual(new Set(['203.0.113.7']));
  });

  it('oom-kill.export: the two kills, with their processes', () => {
    const events = fixtureEntries('oom-kill.export').flatMap(detect);
    expect(events.map((e) => [e.type, e.entity?.id, e.fields.anon_rss_bytes])).toEqual([
      ['oom_kill', 'kvm[48213]', 16612344 * 1024],
      ['oom_kill', 'kvm[51877]', 8240112 * 1024],
    ]);
  });

  it('failed-services.export: each failure line names its unit', () => {
    const events = fixtureEntries('failed-services.export').flatMap(detect);
    expect(events.every((e) => e.type === 'service_fail')).toBe(true);
    expect(events.filter((e) => e.fields.service === 'zfs-import@tank.service')).toHaveLength(2);
    expect(events.filter((e) => e.fields.service === 'pveproxy.service')).toHaveLength(10);
  });

  it('cascade.export: node 2 leaving three times, then quorum lost twice', () => {
    const events = fixtureEntries('cascade.export').flatMap(detect);
    expect(events.map((e) => [e.type, e.fields.node])).toEqual([
      ['node_disconnect', '2'],
      ['node_disconnect', '2'],
      ['node_disconnect', '2'],
      ['node_disconnect', 'pve1'],
      ['node_disconnect', 'pve1'],
    ]);
  });

  it('io-errors.export: hard and soft observations per disk (ata3 and sdb), nothing from EH lines', () => {
    const events = fixtureEntries('io-errors.export').flatMap(detect);
    const by = (device: string, hard: boolean) =>
      events.filter((e) => e.fields.device === device && e.fields.hard === hard).length;
    expect(events.every((e) => e.type === 'disk_io_error')).toBe(true);
    expect([by('ata3', true), by('ata3', false), by('sdb', true), by('sdb', false)]).toEqual([4, 4, 12, 8]);
  });

  it('benign.export: nothing', () => {
    expect(fixtureEntries('benign.export').flatMap(detect)).toEqual([]);
  });

  it('never throws, and every event is a known journal type with a reason', () => {
    const words = fc.constantFrom(
      'Failed password for ',
      'invalid user ',
      ' from ',
      ' port 22',
      'authentication failure; rhost=',
      ' user=',
      '[sshd] Ban ',
      'Killed process ',
      ' (kvm)',
      'EXT4-fs error (device ',
      ') ',
      'I/O error, dev ',
      ', sector ',
      "Failed with result '",
      '.service',
      'Members left:',
      ' 2',
      "node 'x': state changed from 'online' => '",
      'starting new backup job: vzdump ',
      '--storage ',
      '::ffff:',
      '203.0.113.7',
    );
    const message = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.array(words, { maxLength: 12 }).map((w) => w.join('')),
    );
    const identifier = fc.option(
      fc.constantFrom(
        'sshd',
        'pvedaemon',
        'kernel',
        'systemd',
        'corosync',
        'pve-ha-crm',
        'zed',
        'fail2ban',
        'usermod',
        'vzdump',
        'x',
      ),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        identifier,
        message,
        fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
        (id, msg, priority) => {
          for (const e of detect(entry(id, msg, { priority }))) {
            expect(isKnownEvent(e.type)).toBe(true);
            expect(typeof e.fields.reason).toBe('string');
            expect(e.source).toBe('journal');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('does not choke on a 4 KiB line of repeats (bounded regexes)', () => {
    const started = performance.now();
    for (const id of ['sshd', 'kernel', 'systemd', 'corosync', 'pvedaemon'])
      for (const chunk of ['a ', 'Failed password for ', 'I/O error, dev ', '[', "'", '=', ' from '])
        detect(entry(id, chunk.repeat(Math.ceil(4096 / chunk.length))));
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('helpers', () => {
  it('cleanIp unwraps IPv4-mapped addresses and refuses what is not an address', () => {
    expect(cleanIp('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(cleanIp('2001:db8::1')).toBe('2001:db8::1');
    expect(cleanIp('example.org')).toBeUndefined();
    expect(cleanIp('')).toBeUndefined();
  });

  it('diskOf folds partitions and ATA devices into their disk', () => {
    expect(
      ['sdb1', 'sdaa12', 'nvme0n1p2', 'mmcblk0p1', 'ata3.00', 'vda3', 'sdb', 'dm-3', 'nvme0'].map(diskOf),
    ).toEqual(['sdb', 'sdaa', 'nvme0n1', 'mmcblk0', 'ata3', 'vda', 'sdb', 'dm-3', 'nvme0']);
  });
});
