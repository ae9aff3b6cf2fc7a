import type { NotifySeverity } from './channels/channel.js';

export const EVENT_GROUPS = [
  'health',
  'vm_ct',
  'backup',
  'resources',
  'storage',
  'hardware',
  'network',
  'security',
  'cluster',
  'services',
  'updates',
  'alerts',
  'other',
] as const;
export type EventGroup = (typeof EVENT_GROUPS)[number];

/** Who raises an event type in proxmon; `none` types are still accepted from scripts (`proxmon notify`). */
export type Emitter =
  'health' | 'journal' | 'tasks' | 'pve_webhook' | 'alertmanager' | 'pipeline' | 'api' | { none: string };

export interface EventDef {
  type: string;
  group: EventGroup;
  label: string;
  /** Sent unless a channel turns it off. */
  defaultEnabled: boolean;
  /** Internal (burst summaries, tests): not listed for per-event toggles. */
  hidden?: boolean;
  severity: NotifySeverity;
  /** `{field}` placeholders; a missing field renders as nothing. */
  title: string;
  body: string;
  emitter: Emitter;
}

const NOT_HERE = (why: string): Emitter => ({ none: why });

type Opts = Partial<Pick<EventDef, 'defaultEnabled' | 'hidden' | 'severity'>> & { emitter: Emitter };

const def = (
  type: string,
  group: EventGroup,
  label: string,
  title: string,
  body: string,
  opts: Opts,
): EventDef => ({
  type,
  group,
  label,
  title,
  body,
  defaultEnabled: opts.defaultEnabled ?? true,
  severity: opts.severity ?? 'INFO',
  emitter: opts.emitter,
  ...(opts.hidden ? { hidden: true } : {}),
});

const W = 'WARNING' as const;
const C = 'CRITICAL' as const;

/**
 * Every event type proxmon knows: ProxMenux Monitor's catalogue (same names, so hook scripts keep
 * working) plus proxmon's own (Alertmanager alerts, health probe). Severity here is the default; the
 * emitter sets the actual one.
 */
export const CATALOGUE: readonly EventDef[] = [
  // health
  def(
    'state_change',
    'health',
    'Health state changed',
    '{hostname}: {category} is {current}',
    '{category} changed from {previous} to {current}.\n{reason}',
    { defaultEnabled: false, emitter: 'health' },
  ),
  def('new_error', 'health', 'New health error', '{hostname}: {severity} {category}', '{reason}', {
    severity: W,
    emitter: 'health',
  }),
  def(
    'error_resolved',
    'health',
    'Health error resolved',
    '{hostname}: resolved: {category}',
    '{reason}\nResolved after {duration}.',
    { severity: 'OK', emitter: 'health' },
  ),
  def(
    'error_escalated',
    'health',
    'Health error escalated',
    '{hostname}: {category} escalated to {severity}',
    '{reason}',
    { severity: C, emitter: 'health' },
  ),
  def(
    'health_degraded',
    'health',
    'Health degraded',
    '{hostname}: health degraded ({categories})',
    '{reason}',
    { severity: W, emitter: 'health' },
  ),
  def(
    'health_persistent',
    'health',
    'Health error persists',
    '{hostname}: still {severity}: {category}',
    '{reason}\nFirst seen {first_seen}, {occurrences} cycles.',
    { severity: W, emitter: 'health' },
  ),
  def(
    'health_issue_new',
    'health',
    'New health issue (retriggered)',
    '{hostname}: {category} is back',
    '{reason}',
    { severity: W, hidden: true, emitter: 'health' },
  ),
  def(
    'health_issue_resolved',
    'health',
    'Health issue resolved',
    '{hostname}: {category} recovered',
    '{reason}',
    { severity: 'OK', hidden: true, emitter: 'health' },
  ),
  def(
    'unknown_persistent',
    'health',
    'Category unknown for 3 cycles',
    '{hostname}: {category} cannot be checked',
    '{reason}',
    { severity: W, hidden: true, defaultEnabled: false, emitter: 'health' },
  ),
  // vm_ct
  def(
    'lxc_updates_available',
    'vm_ct',
    'Container updates available',
    '{hostname}: updates in {count} containers',
    '{details}',
    { defaultEnabled: false, emitter: NOT_HERE('proxmon does not run commands inside containers') },
  ),
  def('vm_start', 'vm_ct', 'VM started', '{hostname}: VM {vmname} ({vmid}) started', '{reason}', {
    emitter: 'tasks',
  }),
  def(
    'vm_start_warning',
    'vm_ct',
    'VM started with warnings',
    '{hostname}: VM {vmname} ({vmid}) started with warnings',
    '{reason}',
    { severity: W, emitter: 'tasks' },
  ),
  def('vm_stop', 'vm_ct', 'VM stopped', '{hostname}: VM {vmname} ({vmid}) stopped', '{reason}', {
    defaultEnabled: false,
    emitter: 'tasks',
  }),
  def('vm_shutdown', 'vm_ct', 'VM shut down', '{hostname}: VM {vmname} ({vmid}) shut down', '{reason}', {
    defaultEnabled: false,
    emitter: 'tasks',
  }),
  def(
    'vm_fail',
    'vm_ct',
    'VM operation failed',
    '{hostname}: VM {vmname} ({vmid}): {action} failed',
    '{reason}',
    { severity: C, emitter: 'tasks' },
  ),
  def('vm_restart', 'vm_ct', 'VM restarted', '{hostname}: VM {vmname} ({vmid}) restarted', '{reason}', {
    defaultEnabled: false,
    emitter: 'tasks',
  }),
  def('ct_start', 'vm_ct', 'Container started', '{hostname}: CT {vmname} ({vmid}) started', '{reason}', {
    emitter: 'tasks',
  }),
  def(
    'ct_start_warning',
    'vm_ct',
    'Container started with warnings',
    '{hostname}: CT {vmname} ({vmid}) started with warnings',
    '{reason}',
    { severity: W, emitter: 'tasks' },
  ),
  def('ct_stop', 'vm_ct', 'Container stopped', '{hostname}: CT {vmname} ({vmid}) stopped', '{reason}', {
    defaultEnabled: false,
    emitter: 'tasks',
  }),
  def(
    'ct_shutdown',
    'vm_ct',
    'Container shut down',
    '{hostname}: CT {vmname} ({vmid}) shut down',
    '{reason}',
    { defaultEnabled: false, emitter: 'tasks' },
  ),
  def(
    'ct_restart',
    'vm_ct',
    'Container restarted',
    '{hostname}: CT {vmname} ({vmid}) restarted',
    '{reason}',
    { defaultEnabled: false, emitter: 'tasks' },
  ),
  def(
    'ct_fail',
    'vm_ct',
    'Container operation failed',
    '{hostname}: CT {vmname} ({vmid}): {action} failed',
    '{reason}',
    { severity: C, emitter: 'tasks' },
  ),
  def(
    'migration_start',
    'vm_ct',
    'Migration started',
    '{hostname}: migrating {vmname} ({vmid})',
    '{reason}',
    { emitter: 'tasks' },
  ),
  def(
    'migration_complete',
    'vm_ct',
    'Migration complete',
    '{hostname}: {vmname} ({vmid}) migrated',
    '{reason}',
    { emitter: 'tasks' },
  ),
  def(
    'migration_warning',
    'vm_ct',
    'Migration with warnings',
    '{hostname}: {vmname} ({vmid}) migrated with warnings',
    '{reason}',
    { severity: W, emitter: 'tasks' },
  ),
  def(
    'migration_fail',
    'vm_ct',
    'Migration failed',
    '{hostname}: migrating {vmname} ({vmid}) failed',
    '{reason}',
    { severity: C, emitter: 'tasks' },
  ),
  def(
    'replication_fail',
    'vm_ct',
    'Replication failed',
    '{hostname}: replication of {vmid} failed',
    '{reason}',
    { severity: C, emitter: 'pve_webhook' },
  ),
  def(
    'replication_complete',
    'vm_ct',
    'Replication complete',
    '{hostname}: replication of {vmid} done',
    '{reason}',
    { defaultEnabled: false, emitter: 'pve_webhook' },
  ),
  // backup
  def('backup_start', 'backup', 'Backup started', '{hostname}: backup started', '{reason}', {
    defaultEnabled: false,
    emitter: 'journal',
  }),
  def('backup_complete', 'backup', 'Backup complete', '{hostname}: backup finished', '{reason}', {
    emitter: 'pve_webhook',
  }),
  def(
    'backup_warning',
    'backup',
    'Backup with warnings',
    '{hostname}: backup finished with warnings',
    '{reason}',
    { severity: W, emitter: 'pve_webhook' },
  ),
  def('backup_fail', 'backup', 'Backup failed', '{hostname}: backup failed', '{reason}', {
    severity: C,
    emitter: 'pve_webhook',
  }),
  def('host_backup_start', 'backup', 'Host backup started', '{hostname}: host backup started', '{reason}', {
    defaultEnabled: false,
    emitter: NOT_HERE('proxmon has no host-backup product; scripts may send it'),
  }),
  def(
    'host_backup_complete',
    'backup',
    'Host backup complete',
    '{hostname}: host backup finished',
    '{reason}',
    { emitter: NOT_HERE('proxmon has no host-backup product; scripts may send it') },
  ),
  def('host_backup_fail', 'backup', 'Host backup failed', '{hostname}: host backup failed', '{reason}', {
    severity: C,
    emitter: NOT_HERE('proxmon has no host-backup product; scripts may send it'),
  }),
  def(
    'snapshot_complete',
    'backup',
    'Snapshot taken',
    '{hostname}: snapshot of {vmname} ({vmid})',
    '{reason}',
    { defaultEnabled: false, emitter: 'tasks' },
  ),
  def(
    'snapshot_fail',
    'backup',
    'Snapshot failed',
    '{hostname}: snapshot of {vmname} ({vmid}) failed',
    '{reason}',
    { severity: C, emitter: 'tasks' },
  ),
  // resources
  def('cpu_high', 'resources', 'CPU usage high', '{hostname}: CPU {value}', '{reason}', {
    severity: W,
    emitter: 'health',
  }),
  def('ram_high', 'resources', 'Memory usage high', '{hostname}: memory {value}', '{reason}', {
    severity: W,
    emitter: 'health',
  }),
  def('temp_high', 'resources', 'Temperature high', '{hostname}: temperature {value}', '{reason}', {
    severity: W,
    emitter: 'health',
  }),
  def('load_high', 'resources', 'Load high', '{hostname}: load {value}', '{reason}', {
    severity: W,
    emitter: NOT_HERE('load is graphed and alerted through Prometheus rules'),
  }),
  // storage
  def('disk_space_low', 'storage', 'Disk space low', '{hostname}: {mount} is {value} full', '{reason}', {
    severity: W,
    emitter: 'health',
  }),
  def('disk_io_error', 'storage', 'Disk I/O errors', '{hostname}: I/O errors on {device}', '{reason}', {
    severity: C,
    emitter: 'journal',
  }),
  def(
    'storage_unavailable',
    'storage',
    'Storage unavailable',
    '{hostname}: storage {storage} unavailable',
    '{reason}',
    { severity: C, emitter: 'health' },
  ),
  def(
    'smart_test_complete',
    'storage',
    'SMART test complete',
    '{hostname}: SMART test on {device} passed',
    '{reason}',
    { emitter: NOT_HERE('proxmon does not run SMART self-tests; scripts may send it') },
  ),
  def(
    'smart_test_failed',
    'storage',
    'SMART test failed',
    '{hostname}: SMART test on {device} failed',
    '{reason}',
    { severity: C, emitter: NOT_HERE('proxmon does not run SMART self-tests; scripts may send it') },
  ),
  def('mount_stale', 'storage', 'Mount stale', '{hostname}: {mount} is stale', '{reason}', {
    severity: C,
    emitter: 'health',
  }),
  def('mount_readonly', 'storage', 'Mount read-only', '{hostname}: {mount} is read-only', '{reason}', {
    severity: W,
    emitter: 'health',
  }),
  def(
    'lxc_disk_low',
    'storage',
    'Container disk low',
    '{hostname}: CT {vmid} root disk {value}',
    '{reason}',
    { severity: W, emitter: 'health' },
  ),
  def(
    'lxc_mount_low',
    'storage',
    'Container mount low',
    '{hostname}: CT {vmid} {mount} {value}',
    '{reason}',
    { severity: W, emitter: 'health' },
  ),
  def(
    'pve_storage_full',
    'storage',
    'PVE storage full',
    '{hostname}: storage {storage} {value}',
    '{reason}',
    { severity: W, emitter: 'health' },
  ),
  def('zfs_pool_full', 'storage', 'ZFS pool full', '{hostname}: pool {pool} {value}', '{reason}', {
    severity: W,
    emitter: 'health',
  }),
  def('zfs_pool_degraded', 'storage', 'ZFS pool degraded', '{hostname}: pool {pool} {state}', '{reason}', {
    severity: C,
    emitter: 'health',
  }),
  def('smart_failure', 'storage', 'Disk health failing', '{hostname}: disk {device} {state}', '{reason}', {
    severity: C,
    emitter: 'health',
  }),
  def(
    'burst_disk_io',
    'storage',
    'Disk I/O errors (summary)',
    '{hostname}: {count} disk I/O errors',
    '{summary}',
    { severity: C, hidden: true, emitter: 'pipeline' },
  ),
  // hardware
  def(
    'gpu_mode_switch',
    'hardware',
    'GPU mode switched',
    '{hostname}: GPU {device} switched to {mode}',
    '{reason}',
    { emitter: NOT_HERE('sent by GPU scripts through proxmon notify') },
  ),
  def(
    'gpu_passthrough_blocked',
    'hardware',
    'GPU passthrough blocked',
    '{hostname}: passthrough of {device} blocked',
    '{reason}',
    { severity: W, emitter: NOT_HERE('sent by GPU scripts through proxmon notify') },
  ),
  def(
    'pci_passthrough_conflict',
    'hardware',
    'PCI passthrough conflict',
    '{hostname}: {device} passthrough conflict',
    '{reason}',
    { severity: W, emitter: NOT_HERE('sent by GPU scripts through proxmon notify') },
  ),
  // network
  def('network_down', 'network', 'Network down', '{hostname}: {interface} down', '{reason}', {
    severity: C,
    emitter: 'health',
  }),
  def(
    'network_latency',
    'network',
    'Network latency high',
    '{hostname}: latency to {target} {value}',
    '{reason}',
    { severity: W, defaultEnabled: false, emitter: 'health' },
  ),
  // security
  def(
    'auth_fail',
    'security',
    'Authentication failure',
    '{hostname}: failed login for {username} from {source_ip}',
    '{service}: {reason}',
    { severity: W, emitter: 'journal' },
  ),
  def('ip_block', 'security', 'IP banned', '{hostname}: {source_ip} banned ({jail})', '{reason}', {
    emitter: 'journal',
  }),
  def('firewall_issue', 'security', 'Firewall problem', '{hostname}: firewall problem', '{reason}', {
    severity: W,
    emitter: 'journal',
  }),
  def(
    'user_permission_change',
    'security',
    'Permissions changed',
    '{hostname}: permissions changed',
    '{reason}',
    { emitter: 'journal' },
  ),
  def(
    'burst_auth_fail',
    'security',
    'Authentication failures (summary)',
    '{hostname}: {count} failed logins',
    '{summary}',
    { severity: W, hidden: true, emitter: 'pipeline' },
  ),
  def('burst_ip_block', 'security', 'IP bans (summary)', '{hostname}: {count} IPs banned', '{summary}', {
    hidden: true,
    emitter: 'pipeline',
  }),
  // cluster
  def('split_brain', 'cluster', 'Split brain', '{hostname}: cluster split brain', '{reason}', {
    severity: C,
    emitter: 'journal',
  }),
  def('node_disconnect', 'cluster', 'Node left the cluster', '{hostname}: {node} disconnected', '{reason}', {
    severity: C,
    emitter: 'journal',
  }),
  def('node_reconnect', 'cluster', 'Node rejoined', '{hostname}: {node} reconnected', '{reason}', {
    emitter: 'journal',
  }),
  def(
    'burst_cluster',
    'cluster',
    'Cluster problems (summary)',
    '{hostname}: {count} cluster events',
    '{summary}',
    { severity: C, hidden: true, emitter: 'pipeline' },
  ),
  // services
  def('system_startup', 'services', 'Host started', '{hostname}: host started', '{reason}', {
    emitter: 'journal',
  }),
  def('system_shutdown', 'services', 'Host shutting down', '{hostname}: shutting down', '{reason}', {
    emitter: 'journal',
  }),
  def('system_reboot', 'services', 'Host rebooting', '{hostname}: rebooting', '{reason}', {
    emitter: 'journal',
  }),
  def(
    'system_restore_completed',
    'services',
    'Restore complete',
    '{hostname}: restore complete',
    '{reason}',
    { emitter: NOT_HERE('proxmon has no host-restore product') },
  ),
  def('system_problem', 'services', 'System problem', '{hostname}: {problem}', '{reason}', {
    severity: W,
    emitter: 'journal',
  }),
  def('service_fail', 'services', 'Service failed', '{hostname}: {service} failed', '{reason}', {
    severity: W,
    emitter: 'journal',
  }),
  def('oom_kill', 'services', 'Out of memory kill', '{hostname}: OOM killed {process}', '{reason}', {
    severity: C,
    emitter: 'journal',
  }),
  def(
    'service_fail_batch',
    'services',
    'Services failed',
    '{hostname}: {count} services failed',
    '{summary}',
    { severity: W, hidden: true, emitter: 'pipeline' },
  ),
  def('cron_output', 'services', 'Cron output', '{hostname}: {title}', '{reason}', {
    defaultEnabled: false,
    emitter: 'pve_webhook',
  }),
  def('system_mail', 'services', 'System mail', '{hostname}: {title}', '{reason}', {
    emitter: 'pve_webhook',
  }),
  def(
    'burst_service_fail',
    'services',
    'Service failures (summary)',
    '{hostname}: {count} service failures',
    '{summary}',
    { severity: W, hidden: true, emitter: 'pipeline' },
  ),
  def(
    'burst_system',
    'services',
    'System problems (summary)',
    '{hostname}: {count} system problems',
    '{summary}',
    { severity: W, hidden: true, emitter: 'pipeline' },
  ),
  // updates
  def(
    'update_summary',
    'updates',
    'Updates available',
    '{hostname}: {count} updates ({security_count} security)',
    '{details}',
    { emitter: 'health' },
  ),
  def(
    'pve_update',
    'updates',
    'Proxmox VE update',
    '{hostname}: pve-manager {current} → {new}',
    '{details}',
    { emitter: 'health' },
  ),
  def('update_complete', 'updates', 'Updates installed', '{hostname}: updates installed', '{details}', {
    defaultEnabled: false,
    emitter: NOT_HERE('proxmon does not install packages'),
  }),
  def('proxmenux_update', 'updates', 'ProxMenux update', '{hostname}: ProxMenux {new}', '{details}', {
    emitter: NOT_HERE('ProxMenux-specific'),
  }),
  def(
    'post_install_update',
    'updates',
    'Post-install update',
    '{hostname}: post-install changes',
    '{details}',
    { emitter: NOT_HERE('ProxMenux-specific') },
  ),
  def(
    'secure_gateway_update_available',
    'updates',
    'Secure gateway update',
    '{hostname}: gateway update',
    '{details}',
    { emitter: NOT_HERE('ProxMenux-specific') },
  ),
  def(
    'nvidia_driver_update_available',
    'updates',
    'NVIDIA driver update',
    '{hostname}: NVIDIA driver {new}',
    '{details}',
    { emitter: NOT_HERE('ProxMenux-specific') },
  ),
  def(
    'coral_driver_update_available',
    'updates',
    'Coral driver update',
    '{hostname}: Coral driver {new}',
    '{details}',
    { emitter: NOT_HERE('ProxMenux-specific') },
  ),
  def('update_available', 'updates', 'Update available (legacy)', '{hostname}: {title}', '{reason}', {
    hidden: true,
    defaultEnabled: false,
    emitter: 'pve_webhook',
  }),
  // alerts (proxmon): Prometheus alerts through the same channels
  def(
    'alert_firing',
    'alerts',
    'Prometheus alert firing',
    '{hostname}: {alertname} firing',
    '{summary}\n{description}',
    { severity: W, emitter: 'alertmanager' },
  ),
  def(
    'alert_resolved',
    'alerts',
    'Prometheus alert resolved',
    '{hostname}: {alertname} resolved',
    '{summary}',
    { severity: 'OK', emitter: 'alertmanager' },
  ),
  // other
  def('ai_model_migrated', 'other', 'AI model changed', '{hostname}: AI model now {model}', '{reason}', {
    severity: W,
    emitter: NOT_HERE('proxmon never switches the configured model by itself'),
  }),
  def(
    'webhook_test',
    'other',
    'Test message',
    '{hostname}: proxmon test message',
    'If you can read this, the channel works.',
    { hidden: true, emitter: 'api' },
  ),
  def('custom', 'other', 'Custom message', '{title}', '{body}', { emitter: 'api' }),
  def(
    'burst_generic',
    'other',
    'Repeated events (summary)',
    '{hostname}: {count} × {event_label}',
    '{summary}',
    { hidden: true, emitter: 'pipeline' },
  ),
];

const BY_TYPE = new Map(CATALOGUE.map((d) => [d.type, d]));

/** The definition of `type`; an unknown type (a script's own) renders as `custom` in group `other`. */
export function eventDef(type: string): EventDef {
  return BY_TYPE.get(type) ?? { ...BY_TYPE.get('custom')!, type, label: type };
}

export const isKnownEvent = (type: string): boolean => BY_TYPE.has(type);
