/**
 * The journal rules as data: what is noise, what is an error. Every pattern is matched against
 * `<SYSLOG_IDENTIFIER>: <MESSAGE>`, case-insensitively. Quantifiers are bounded or run over one
 * character class, so no rule can backtrack badly on a long line.
 */

export interface LogRule {
  /** Short stable name, kept in finding details. */
  name: string;
  re: RegExp;
}

/** Lines dropped before anything else: routine chatter a healthy Proxmox VE host prints all day. */
export const BENIGN_RULES: readonly LogRule[] = [
  // PVE API daemons: per-request and per-task bookkeeping, worker recycling, clients that hung up.
  { name: 'pve_task', re: /\bpve(?:daemon|proxy)[^:]{0,40}: <[^>]{1,128}> (?:starting|end) task\b/i },
  { name: 'pve_auth_ok', re: /: <[^>]{1,128}> successful auth for user\b/i },
  { name: 'pve_worker', re: /\bworker \d+ (?:finished|started)\b|\bstarting \d+ worker\(s\)/i },
  { name: 'pve_vanished_client', re: /\bproxy detected vanished client connection\b/i },
  { name: 'pve_cert_cache', re: /\bclearing outdated entries from certificate cache\b/i },
  { name: 'pve_authkey_rotation', re: /\bauth key pair too old, rotating\b/i },
  // pmxcfs and corosync membership/sync chatter (failures such as token loss stay errors).
  {
    name: 'pmxcfs_sync',
    re: /\[(?:dcdb|status|main)\] notice: (?:members:|starting data syncronisation|starting data synchronisation|received sync request|received all states|all data is up to date|leader is|synced members|data verification successful|update complete)/i,
  },
  {
    name: 'corosync_membership',
    re: /\[(?:totem|quorum|main|service|cpg|knet|mtud)\s*\] (?:a new membership|members\[|sync members|sync joined|sync left|completed service synchronization|this node is within the primary component)/i,
  },
  {
    name: 'corosync_pmtud',
    re: /\[(?:knet|mtud)\s*\] (?:pmtud|link: resetting mtu|global data mtu|rx: host|tx: host)/i,
  },
  // systemd/logind/PAM session lines for every login, cron run and `pct enter`.
  {
    name: 'systemd_session',
    re: /\bnew session \w+ of user\b|\bsession \w+ logged out\b|\bremoved session \w+/i,
  },
  { name: 'pam_session', re: /\bpam_unix\([^)]{1,64}:session\): session (?:opened|closed)\b/i },
  { name: 'user_manager', re: /\buser@\d+\.service\b|\buser-runtime-dir@\d+\.service\b/i },
  // Network housekeeping: DHCP clients and servers, DNS resolvers.
  {
    name: 'dhcp',
    re: /^(?:dhclient|dhcpcd|dnsmasq-dhcp|dhcpd)\b|\bdhcp(?:discover|offer|request|ack|nak|release)\b/i,
  },
  { name: 'dns', re: /^(?:dnsmasq|systemd-resolved|named|unbound)\b|\bresolv\.conf\b/i },
  // SATA links renegotiating after a cable CRC error: noisy, and SMART's UDMA_CRC count tracks it.
  { name: 'ata_badcrc', re: /\bata\d+(?:\.\d+)?: (?:serror: \{[^}]{0,80}badcrc|error: \{[^}]{0,40}icrc)/i },
  {
    name: 'ata_link_reset',
    re: /\bata\d+(?:\.\d+)?: (?:hard resetting link|soft resetting link|sata link (?:up|down)|link is slow to respond|limiting sata link speed|configured for)/i,
  },
  // GPU/PCI passthrough: vfio and the NVIDIA driver log resets and BAR mappings on every guest start.
  { name: 'vfio', re: /\bvfio[-_](?:pci|iommu)\b|\bvfio \d{4}:/i },
  { name: 'nvidia_rm', re: /\bnvrm\b/i },
  // Guest NICs joining and leaving a bridge whenever a guest starts or stops.
  { name: 'guest_port_state', re: /: port \d+\((?:tap|fwpr|fwln|veth)[^)]{0,32}\) entered\b/i },
  {
    name: 'guest_port_promisc',
    re: /^kernel: (?:tap|fwpr|fwln|fwbr|veth)\w{0,32}: entered (?:promiscuous|allmulticast) mode/i,
  },
  // proxmon's own lines (when it logs to the journal): a log finding about itself would feed back.
  { name: 'proxmon', re: /^proxmon(?:\[\d+\])?:/i },
];

/** Units whose lines are always benign, whatever their identifier. */
export const BENIGN_UNITS: readonly string[] = ['proxmon.service'];

/** CRITICAL: the host or its data are at risk now. */
export const CRITICAL_RULES: readonly LogRule[] = [
  // The kernel's OOM killer (global or cgroup): a guest or daemon was killed for memory.
  { name: 'oom_kill', re: /\bout of memory\b|\boom[-_ ]kill|\boom_reaper\b|\bkilled process \d+/i },
  { name: 'kernel_panic', re: /\bkernel panic\b/i },
  { name: 'general_protection', re: /\bgeneral protection\b/i },
  { name: 'read_only_fs', re: /\bread-only file ?system\b|\bremounting filesystem read-only\b/i },
  // Filesystem errors; the device in the line can downgrade them (see classify's fsDevice).
  {
    name: 'filesystem_error',
    re: /\bext[234]-fs error\b|\bbtrfs (?:error|critical)\b|\bxfs \([^)]{1,64}\): [^\n]{0,120}\b(?:corruption|shutting down|metadata i\/o error)/i,
  },
  {
    name: 'raid_failed',
    re: /\bmd\/raid\w{0,8}:[^\n]{0,80}\b(?:disk failure|disabling device)\b|\braid[^\n]{0,60}\bfailed\b/i,
  },
  {
    name: 'zpool_faulted',
    re: /\b(?:zfs|zpool|zed)\b[^\n]{0,200}\b(?:faulted|suspended)\b|\bvdev_state=(?:faulted|unavail)\b|\bpool\b[^\n]{0,120}\bhas been suspended\b/i,
  },
  { name: 'hardware_error', re: /\bhardware error\b|\bmachine check\b/i },
  { name: 'quorum_lost', re: /\blost quorum\b|\bquorum lost\b|\bwill not provide any services\b/i },
  { name: 'split_brain', re: /\bsplit[- ]?brain\b/i },
  // A crash of a process Proxmox VE cannot run without (qemu runs as `kvm` on PVE).
  {
    name: 'pve_segfault',
    re: /\b(?:pveproxy|pvedaemon|pvestatd|pmxcfs|corosync|pve-ha-[lc]rm|qemu[\w-]{0,20}|kvm)\b[^\n]{0,80}\bsegfault\b/i,
  },
];

/** WARNING: something failed or is slow, the host still runs. */
export const WARNING_RULES: readonly LogRule[] = [
  { name: 'io_error', re: /\bi\/o error\b|\bblk_update_request\b/i },
  { name: 'ata_error', re: /\bata\d+(?:\.\d+)?: [^\n]{0,80}\b(?:failed command|error|exception|timeout)\b/i },
  {
    name: 'scsi_error',
    re: /\b(?:sd|scsi) \d+:\d+:\d+:\d+: [^\n]{0,80}\b(?:error|failed|timing out|sense key)\b|\bsense key\b|\bmedium error\b/i,
  },
  {
    name: 'nvme_error',
    re: /\bnvme\d*n?\d*:? [^\n]{0,80}\b(?:timeout|aborting|controller is down|error)\b/i,
  },
  { name: 'hung_task', re: /\bblocked for more than \d+ seconds\b|\bhung_task\b/i },
  { name: 'lockup', re: /\b(?:soft|hard) lockup\b|\brcu[_:][^\n]{0,40}\bstall/i },
  { name: 'failed_to_start', re: /\bfailed to start\b|\bstart request repeated too quickly\b/i },
  { name: 'service_failed', re: /\.(?:service|socket|mount|timer|scope): failed with result\b/i },
  { name: 'segfault', re: /\bsegfault\b/i },
  {
    name: 'corosync_failure',
    re: /^corosync[^:]{0,16}: [^\n]{0,120}\b(?:token has not been received|retransmit list|is down|has no active links|failed|error)\b/i,
  },
  { name: 'bridge_port_down', re: /: port \d+\([^)]{1,32}\) entered (?:disabled|blocking) state\b/i },
];

/** The device a filesystem error names: `(device sda1)` for ext4/btrfs, `XFS (sdb1):` for xfs. */
export const FS_DEVICE_RE = /\(device ([\w.:-]{1,64})\)|\bxfs \(([\w.:-]{1,64})\)/i;
