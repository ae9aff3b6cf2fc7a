import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from './journal.js';
import {
  benignRule,
  classifyEntry,
  classifyText,
  MAX_PATTERN,
  normalisePattern,
  patternHash,
  type LogLine,
} from './patterns.js';
import { BENIGN_RULES, CRITICAL_RULES, WARNING_RULES } from './rules.js';

const entry = (message: string, identifier = 'kernel', unit?: string): JournalEntry => ({
  cursor: 'c1',
  timeMs: 1000,
  message,
  priority: 3,
  unit,
  identifier,
  pid: undefined,
  hostname: undefined,
  bootId: undefined,
});

describe('normalisePattern', () => {
  it.each([
    [
      'Out of memory: Killed process 48213 (kvm) total-vm:17656840kB, anon-rss:16612344kB, UID:0',
      'Out of memory: Killed process <n> (kvm) total-vm:<n>kB, anon-rss:<n>kB, UID:0',
    ],
    [
      'pvedaemon[1503]: authentication failure; rhost=::ffff:203.0.113.7 user=root@pam',
      'pvedaemon[<pid>]: authentication failure; rhost=<ip> user=root@pam',
    ],
    ['sshd: Invalid user a from 2001:db8::7 port 52144', 'sshd: Invalid user a from <ip> port <n>'],
    ['full 2001:0db8:0000:0000:0000:ff00:0042:8329 form', 'full <ip> form'],
    ['from 192.0.2.10:8006 at 2026-11-26T10:00:00.123+01:00', 'from <ip> at <ts>'],
    ['Nov 26 10:00:01 pve1 cron at 10:00:02.5', '<ts> pve1 cron at <ts>'],
    ['[  123.456789] usb 1-1: new device', '<ts> usb 1-1: new device'],
    ['vm 7f3a2b1c-4d5e-6f70-8192-a3b4c5d6e7f8 started', 'vm <uuid> started'],
    ['link aa:bb:cc:dd:ee:0f up', 'link <mac> up'],
    [
      'EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2',
      'EXT4-fs error (device sda1): ext4_find_entry:<n>: inode #<n>',
    ],
    [
      "open '/var/log/pveproxy/access.log' failed, /dev/disk/by-id/ata-X_1 gone",
      "open '<path>' failed, <dev> gone",
    ],
    [
      'I/O error, dev sdb, sector 197278888 op 0x0:(READ) flags 0x80700',
      'I/O error, dev sdb, sector <n> op <hex>:(READ) flags <hex>',
    ],
    ['ip 00007f3a2b1c4d5e in libc', 'ip <hex> in libc'],
    ['sd 2:0:0:0: [sdb] tag#23 FAILED', 'sd 2:0:0:0: [sdb] tag#<n> FAILED'],
    ['nvme nvme0: I/O 437 QID 3 timeout', 'nvme nvme0: I/O <n> QID <n> timeout'],
    ['ata3.00: status=1/FAILURE   on  nvme0n1', 'ata3.00: status=1/FAILURE on nvme0n1'],
    ['task kvm:48213 blocked; pid=8812, pid 77', 'task kvm:<n> blocked; pid=<pid>, pid <pid>'],
  ])('%s', (line, pattern) => {
    expect(normalisePattern(line)).toBe(pattern);
  });

  it('cuts patterns at 150 characters', () => {
    expect(normalisePattern('word '.repeat(100))).toHaveLength(MAX_PATTERN);
  });

  it('gives repeated occurrences one hash however their volatile parts differ', () => {
    const part = {
      pid: fc.integer({ min: 1, max: 4_194_304 }),
      id: fc.integer({ min: 100, max: 999_999_999 }),
      hex: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => `0x${n.toString(16)}`),
      uuid: fc.uuid(),
      ip: fc.oneof(fc.ipV4(), fc.ipV6()),
      time: fc
        .date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true })
        .map((d) => d.toISOString()),
      path: fc
        .array(fc.stringMatching(/^[a-z0-9_.-]{1,12}$/), { minLength: 1, maxLength: 5 })
        .map((p) => `/${p.join('/')}`),
    };
    const line = fc
      .record(part)
      .map(
        (p) =>
          `pvestatd[${p.pid}]: VM ${p.id} qmp command failed at ${p.time} addr ${p.hex} ` +
          `uuid ${p.uuid} from ${p.ip} config '${p.path}'`,
      );
    const expected = normalisePattern(
      "pvestatd[1]: VM 100 qmp command failed at 2026-01-01T00:00:00.000Z addr 0x1 uuid 00000000-0000-1000-8000-000000000000 from 192.0.2.1 config '/a'",
    );
    expect(expected).toBe(
      "pvestatd[<pid>]: VM <n> qmp command failed at <ts> addr <hex> uuid <uuid> from <ip> config '<path>'",
    );
    fc.assert(
      fc.property(line, (l) => {
        expect(patternHash(normalisePattern(l))).toBe(patternHash(expected));
      }),
    );
  });

  it('never throws, stays within 150 characters and leaves no run of 3 digits', () => {
    const tokens = fc.constantFrom(
      '/',
      ':',
      '.',
      '0x',
      'a',
      'f',
      '1',
      '12',
      '123',
      ' ',
      '[',
      ']',
      '-',
      '#',
      '=',
      '<n>',
      '::',
    );
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.array(tokens, { maxLength: 200 }).map((t) => t.join('')),
    );
    fc.assert(
      fc.property(text, (t) => {
        const p = normalisePattern(t);
        expect(p.length).toBeLessThanOrEqual(MAX_PATTERN);
        expect(p).not.toMatch(/\d{3}/);
      }),
    );
  });

  it('normalises and classifies a 10 000-character line quickly, however it is built', () => {
    const hostile = [
      'a:'.repeat(5000),
      '0'.repeat(10_000),
      '/'.repeat(10_000),
      '1.'.repeat(5000),
      'ata1: '.repeat(1667),
      'f'.repeat(10_000),
      '::1'.repeat(3334),
      `corosync: ${'x '.repeat(4995)}`,
      `kernel: xfs (${'('.repeat(9980)}`,
      '[ '.repeat(5000),
      `${'sd 1:2:3:4: '.repeat(800)}`,
      `${'kvm '.repeat(2500)}`,
    ];
    for (const line of hostile) {
      const t0 = performance.now();
      for (let i = 0; i < 10; i++) {
        normalisePattern(line);
        classifyText(line);
        benignRule(line);
      }
      expect((performance.now() - t0) / 10, line.slice(0, 20)).toBeLessThan(20);
    }
  });
});

describe('patternHash', () => {
  it('is the first 8 hex digits of md5', () => {
    expect(patternHash('')).toBe('d41d8cd9');
    expect(patternHash('kernel: Out of memory')).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('classification', () => {
  it.each([
    ['kernel: Out of memory: Killed process 1234 (kvm)', 'CRITICAL', 'oom_kill'],
    ['kernel: kvm invoked oom-killer: gfp_mask=0x140cca', 'CRITICAL', 'oom_kill'],
    ['systemd: 100.scope: A process of this unit has been killed by the OOM killer.', 'CRITICAL', 'oom_kill'],
    ['kernel: Kernel panic - not syncing: Fatal exception', 'CRITICAL', 'kernel_panic'],
    [
      'kernel: general protection fault, probably for non-canonical address',
      'CRITICAL',
      'general_protection',
    ],
    ['kernel: EXT4-fs (dm-1): Remounting filesystem read-only', 'CRITICAL', 'read_only_fs'],
    ["pveproxy: unable to open log file '/x' - Read-only file system", 'CRITICAL', 'read_only_fs'],
    ['kernel: EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2', 'CRITICAL', 'filesystem_error'],
    [
      'kernel: BTRFS error (device nvme0n1p3): bdev /dev/nvme0n1p3 errs: wr 0, rd 1',
      'CRITICAL',
      'filesystem_error',
    ],
    [
      'kernel: XFS (sdb1): Corruption of in-memory data detected.  Shutting down filesystem',
      'CRITICAL',
      'filesystem_error',
    ],
    ['kernel: md/raid1:md0: Disk failure on sdb1, disabling device.', 'CRITICAL', 'raid_failed'],
    ['zed: eid=12 class=statechange pool=tank vdev=sdb1 vdev_state=FAULTED', 'CRITICAL', 'zpool_faulted'],
    [
      "kernel: WARNING: Pool 'tank' has encountered an uncorrectable I/O failure and has been suspended.",
      'CRITICAL',
      'zpool_faulted',
    ],
    ['kernel: mce: [Hardware Error]: Machine check events logged', 'CRITICAL', 'hardware_error'],
    ['pmxcfs: [status] notice: node lost quorum', 'CRITICAL', 'quorum_lost'],
    ['kernel: drbd r0: Split-Brain detected but unresolved, dropping connection!', 'CRITICAL', 'split_brain'],
    [
      'kernel: pvestatd[2841]: segfault at 10 ip 000055d7c1c4b0f2 error 4 in perl',
      'CRITICAL',
      'pve_segfault',
    ],
    ['kernel: kvm[9912]: segfault at 0 ip 00007f error 6 in qemu-system-x86_64', 'CRITICAL', 'pve_segfault'],
    ['kernel: I/O error, dev sdb, sector 197278888 op 0x0:(READ)', 'WARNING', 'io_error'],
    ['kernel: blk_update_request: I/O error, dev sdc, sector 0', 'WARNING', 'io_error'],
    ['kernel: ata3.00: failed command: READ FPDMA QUEUED', 'WARNING', 'ata_error'],
    ['kernel: sd 2:0:0:0: [sdb] tag#23 Sense Key : Medium Error [current]', 'WARNING', 'scsi_error'],
    ['kernel: nvme nvme0: I/O 437 QID 3 timeout, aborting', 'WARNING', 'nvme_error'],
    ['kernel: INFO: task kworker/3:1:212 blocked for more than 122 seconds.', 'WARNING', 'hung_task'],
    ['kernel: watchdog: BUG: soft lockup - CPU#3 stuck for 23s! [kvm:1234]', 'WARNING', 'lockup'],
    ['kernel: rcu: INFO: rcu_preempt self-detected stall on CPU', 'WARNING', 'lockup'],
    ['systemd: Failed to start pveproxy.service - PVE API Proxy Server.', 'WARNING', 'failed_to_start'],
    ["systemd: pvestatd.service: Failed with result 'exit-code'.", 'WARNING', 'service_failed'],
    ['kernel: smartd[812]: segfault at 0 ip 0000 error 4', 'WARNING', 'segfault'],
    ['corosync: [TOTEM ] Token has not been received in 3712 ms', 'WARNING', 'corosync_failure'],
    ['corosync: [KNET  ] host: host: 2 has no active links', 'WARNING', 'corosync_failure'],
    ['kernel: vmbr0: port 1(enp3s0) entered disabled state', 'WARNING', 'bridge_port_down'],
  ])('%s', (text, severity, rule) => {
    expect(benignRule(text)).toBeUndefined();
    expect(classifyText(text)).toMatchObject({ severity, rule });
  });

  it.each([
    ['sshd: Failed password for root from 203.0.113.7 port 52144 ssh2'],
    ['pvedaemon: authentication failure; rhost=::ffff:203.0.113.7 user=root@pam msg=Authentication failure'],
    ['kernel: CPU: 5 PID: 48230 Comm: kvm Tainted: P O 6.8.12-4-pve #1'],
    ['kernel: ata3.00: status: { DRDY ERR }'],
    ['systemd: Started pveproxy.service - PVE API Proxy Server.'],
  ])('leaves %s unclassified', (text) => {
    expect(classifyText(text)).toBeUndefined();
  });

  it.each([
    ['kernel: ata2: SError: { BadCRC }', 'ata_badcrc'],
    ['kernel: ata2.00: error: { ICRC ABRT }', 'ata_badcrc'],
    ['kernel: ata2: hard resetting link', 'ata_link_reset'],
    ['kernel: ata2: SATA link up 6.0 Gbps (SStatus 133 SControl 300)', 'ata_link_reset'],
    ["kernel: vfio-pci 0000:01:00.0: BAR 1: can't reserve [mem 0xc0000000-0xcfffffff]", 'vfio'],
    ['kernel: NVRM: Xid (PCI:0000:01:00): 79, GPU has fallen off the bus.', 'nvidia_rm'],
    ['kernel: vmbr0: port 3(tap105i0) entered disabled state', 'guest_port_state'],
    ['kernel: tap105i0: entered promiscuous mode', 'guest_port_promisc'],
    ['corosync: [KNET  ] pmtud: Global data MTU changed to: 1397', 'corosync_pmtud'],
    ['corosync: [QUORUM] Sync members[3]: 1 2 3', 'corosync_membership'],
    ['pmxcfs: [dcdb] notice: data verification successful', 'pmxcfs_sync'],
    ['systemd-logind: New session 412 of user root.', 'systemd_session'],
    ['CRON: pam_unix(cron:session): session closed for user root', 'pam_session'],
    ['dnsmasq: failed to send packet: Network is unreachable', 'dns'],
    ['dhclient: DHCPREQUEST for 192.0.2.7 on vmbr0 to 192.0.2.1 port 67', 'dhcp'],
    ["pvedaemon: <root@pam> successful auth for user 'root@pam'", 'pve_auth_ok'],
    ['pvedaemon: <root@pam> starting task UPID:pve1:00001A2B:qmstart:100:root@pam:', 'pve_task'],
    ['proxmon[2210]: health cycle failed', 'proxmon'],
  ])('drops %s as benign', (text, rule) => {
    expect(benignRule(text)).toBe(rule);
  });

  it('has unique rule names, none of them global (a /g regex keeps state between tests)', () => {
    const all = [...BENIGN_RULES, ...CRITICAL_RULES, ...WARNING_RULES];
    expect(new Set(all.map((r) => r.name)).size).toBe(all.length);
    for (const r of all) expect(r.re.global || r.re.sticky, r.name).toBe(false);
  });
});

describe('classifyEntry', () => {
  it('returns a line with pattern, hash and sample', () => {
    const line = classifyEntry(entry('EXT4-fs error (device sda1): ext4_lookup:1851: inode #2: comm ls'));
    expect(line).toEqual({
      cursor: 'c1',
      timeMs: 1000,
      severity: 'CRITICAL',
      rule: 'filesystem_error',
      pattern: 'kernel: EXT4-fs error (device sda1): ext4_lookup:<n>: inode #<n>: comm ls',
      hash: patternHash('kernel: EXT4-fs error (device sda1): ext4_lookup:<n>: inode #<n>: comm ls'),
      sample: 'kernel: EXT4-fs error (device sda1): ext4_lookup:1851: inode #2: comm ls',
      device: 'sda1',
    } satisfies LogLine);
  });

  it('lets SMART downgrade a filesystem error', () => {
    const seen: Array<string | undefined> = [];
    const line = classifyEntry(entry('XFS (sdb1): Metadata I/O error in "xfs_trans_read_buf_map"'), {
      filesystemSeverity: (device) => (seen.push(device), 'WARNING'),
    });
    expect(seen).toEqual(['sdb1']);
    expect(line).toMatchObject({ severity: 'WARNING', rule: 'filesystem_error', device: 'sdb1' });
  });

  it('drops empty, benign-unit and unmatched entries with the reason', () => {
    expect(classifyEntry({ ...entry(''), message: undefined })).toBe('empty');
    expect(classifyEntry(entry('   '))).toBe('empty');
    expect(classifyEntry(entry('I/O error on /proc/x', 'node', 'proxmon.service'))).toBe('benign');
    expect(classifyEntry(entry('all is well'))).toBe('other');
  });

  it('cuts the sample at 300 characters', () => {
    const line = classifyEntry(entry(`Out of memory: ${'x'.repeat(1000)}`));
    expect(typeof line === 'object' && line.sample.length).toBe(300);
  });
});
