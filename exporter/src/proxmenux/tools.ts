/**
 * ProxMenux post-install optimisations and the files each one leaves on the host, as its scripts write
 * them (`scripts/post_install/auto_post_install.sh`, `customizable_post_install.sh`,
 * `scripts/global/remove-banner-pve-*.sh`; the reverse list in `uninstall-tools.sh`). A marker matches when
 * the file exists and, where given, contains the text: a line the script writes that a stock Proxmox VE
 * host does not have. Tools that leave no file of their own (time sync, repository clean-up) are known
 * only from ProxMenux's registry.
 */
export type Marker =
  | { file: string; contains?: RegExp }
  /** Any file in `dir` whose name matches, containing the text where given. */
  | { dir: string; name: RegExp; contains?: RegExp };

export interface ToolDefinition {
  key: string;
  name: string;
  /** Any one marker is evidence; an empty list means registry-only. */
  markers: Marker[];
  /** No longer applied by current ProxMenux versions. */
  deprecated?: boolean;
  /** Other registry keys for the same change (the v3 banner patch registers its own). */
  aliases?: string[];
}

export const PROXMENUX_DIR = '/usr/local/share/proxmenux';

export const TOOLS: readonly ToolDefinition[] = [
  {
    key: 'subscription_banner',
    name: 'Subscription Banner Removal',
    aliases: ['subscription_banner_v3'],
    markers: [
      // The v3 patch re-applies itself from an APT hook after upgrades.
      { file: '/usr/local/bin/pve-remove-nag-v3.sh' },
      { file: '/etc/apt/apt.conf.d/no-nag-script', contains: /proxmoxlib|nag/i },
    ],
  },
  {
    key: 'apt_languages',
    name: 'APT Language Skip',
    markers: [
      { file: '/etc/apt/apt.conf.d/99-disable-translations', contains: /Acquire::Languages\s+"none"/ },
    ],
  },
  {
    key: 'apt_ipv4',
    name: 'APT IPv4 Force',
    markers: [{ file: '/etc/apt/apt.conf.d/99-force-ipv4', contains: /Acquire::ForceIPv4\s+"true"/ }],
  },
  {
    key: 'journald',
    name: 'Journald Optimization',
    // Stock journald.conf has these commented out; the script writes them live, with a 64M cap.
    markers: [
      { file: '/etc/systemd/journald.conf', contains: /^SystemMaxUse=64M\s*$[\s\S]*^RuntimeMaxUse=60M\s*$/m },
    ],
  },
  {
    key: 'logrotate',
    name: 'Logrotate Optimization',
    markers: [{ file: '/etc/logrotate.conf', contains: /^# ProxMenux optimized configuration/m }],
  },
  {
    key: 'system_limits',
    name: 'System Limits Increase',
    markers: [
      { file: '/etc/security/limits.d/99-limits.conf', contains: /# ProxMenux configuration/ },
      { file: '/etc/sysctl.d/99-maxwatches.conf', contains: /# ProxMenux configuration/ },
    ],
  },
  {
    key: 'memory_settings',
    name: 'Memory Settings Optimization',
    markers: [{ file: '/etc/sysctl.d/99-memory.conf', contains: /^vm\.swappiness\s*=/m }],
  },
  {
    key: 'kernel_panic',
    name: 'Kernel Panic Configuration',
    markers: [{ file: '/etc/sysctl.d/99-kernelpanic.conf', contains: /^kernel\.panic\s*=/m }],
  },
  {
    key: 'network_optimization',
    name: 'Network Optimizations',
    markers: [
      { file: '/usr/local/sbin/proxmenux-fwbr-tune' },
      { file: '/etc/sysctl.d/99-network.conf', contains: /^net\.core\.netdev_max_backlog\s*=/m },
    ],
  },
  {
    key: 'kexec',
    name: 'kexec for quick reboots',
    markers: [{ file: '/etc/systemd/system/kexec-pve.service', contains: /kexec/ }],
  },
  {
    key: 'bashrc_custom',
    name: 'Bashrc Customization',
    markers: [{ file: '/root/.bashrc', contains: /^# (BEGIN PMX_CORE_BASHRC|ProxMenux customizations)/m }],
  },
  {
    key: 'log2ram',
    name: 'Log2ram (SSD Protection)',
    markers: [
      { file: '/etc/cron.d/log2ram', contains: /Created by ProxMenux/ },
      { file: '/usr/local/bin/log2ram-check.sh' },
    ],
  },
  {
    key: 'persistent_network',
    name: 'Setting persistent network interfaces',
    markers: [{ dir: '/etc/systemd/network', name: /^10-[\w.-]+\.link$/, contains: /^MACAddress=/m }],
  },
  {
    key: 'fastfetch',
    name: 'Fastfetch',
    markers: [{ file: '/etc/profile.d/fastfetch.sh' }, { file: '/etc/update-motd.d/99-fastfetch' }],
  },
  {
    key: 'figurine',
    name: 'Figurine',
    markers: [{ file: '/usr/local/bin/figurine' }, { file: '/etc/profile.d/figurine.sh' }],
  },
  {
    key: 'amd_fixes',
    name: 'AMD CPU (Ryzen/EPYC) fixes',
    markers: [{ file: '/etc/modprobe.d/kvm.conf', contains: /^options kvm ignore_msrs=Y/m }],
  },
  { key: 'time_sync', name: 'Time Synchronization', markers: [] },
  { key: 'proxmox_repos', name: 'Proxmox repositories (no-subscription)', markers: [] },
  { key: 'apt_upgrade', name: 'APT upgrade and repository configuration', markers: [] },
  { key: 'zfs_autotrim', name: 'ZFS autotrim', markers: [] },
  { key: 'disable_rpc', name: 'RPC/rpcbind disabled', markers: [] },
  { key: 'vfio_iommu', name: 'VFIO/IOMMU Passthrough', markers: [] },
  { key: 'lvm_repair', name: 'LVM PV Headers Repair', markers: [] },
  { key: 'repo_cleanup', name: 'Repository Cleanup', markers: [] },
  {
    key: 'entropy',
    name: 'Entropy Generation (haveged)',
    deprecated: true,
    markers: [{ file: '/etc/default/haveged', contains: /DAEMON_ARGS="-w 1024"/ }],
  },
];
