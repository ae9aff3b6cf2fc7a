import type { HealthEvent } from '../health/store/index.js';
import type { NotificationEvent } from './event.js';

/** The catalogue type for a health error, by its key (specific where the original had one). */
function problemType(e: HealthEvent): string {
  const k = e.errorKey;
  if (k === 'cpu_usage') return 'cpu_high';
  if (k === 'cpu_temperature') return 'temp_high';
  if (k === 'memory_usage' || k === 'swap_usage') return 'ram_high';
  if (k.startsWith('zfs_pool_full_')) return 'zfs_pool_full';
  if (k.startsWith('zfs_pool_')) return 'zfs_pool_degraded';
  if (k.startsWith('pve_storage_full_')) return 'pve_storage_full';
  if (k.startsWith('storage_unavailable_')) return 'storage_unavailable';
  if (k.startsWith('lxc_disk_')) return 'lxc_disk_low';
  if (k.startsWith('mount_stale_')) return 'mount_stale';
  if (k.startsWith('filesystem_readonly_')) return 'mount_readonly';
  if (k.startsWith('disk_space_')) return 'disk_space_low';
  if (k.startsWith('smart_') || k.startsWith('disk_temperature_')) return 'smart_failure';
  if (k.startsWith('network_link_')) return 'network_down';
  if (k.startsWith('network_latency_')) return 'network_latency';
  if (k.startsWith('pve_service_')) return 'service_fail';
  return 'new_error';
}

/**
 * Health store events as notifications: new and re-triggered problems under their specific type,
 * escalations, persistence and resolutions. Dismissal bookkeeping is not notified.
 */
export function healthNotification(e: HealthEvent, at: number): NotificationEvent | undefined {
  const fields = {
    category: e.category,
    check: e.check,
    reason: e.reason,
    error_key: e.errorKey,
    occurrences: e.occurrences,
    first_seen: new Date(e.firstSeen).toISOString(),
    ...(e.resource ? { resource: `${e.resource.kind} ${e.resource.id}` } : {}),
  };
  const entity = { kind: 'health', id: e.errorKey };
  switch (e.type) {
    case 'new':
    case 'retriggered':
      return { type: problemType(e), severity: e.severity, source: 'health', at, fields, entity };
    case 'escalated':
      return {
        type: 'error_escalated',
        severity: e.severity,
        source: 'health',
        at,
        fields: { ...fields, previous: e.previousSeverity },
        entity,
      };
    case 'persistent':
      return { type: 'health_persistent', severity: e.severity, source: 'health', at, fields, entity };
    case 'resolved':
      return {
        type: 'error_resolved',
        severity: 'OK',
        source: 'health',
        at,
        fields: { ...fields, duration_seconds: e.durationSeconds, resolution: e.resolutionReason },
        entity,
      };
    default:
      return undefined;
  }
}
