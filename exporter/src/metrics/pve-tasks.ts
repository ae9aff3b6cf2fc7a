import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import { PVE_TASKS_SOURCE, type PveTasksSnapshot } from '../sources/pve/tasks.js';
import { snapshotCounter, snapshotGauge } from './define.js';

export const metricNames = [
  'proxmon_pve_tasks_failed_total',
  'proxmon_ha_state',
  'proxmon_replication_last_sync_timestamp_seconds',
  'proxmon_replication_failed',
] as const;

/** The HA service states of ha-manager; a state PVE adds later is still emitted when current. */
export const HA_STATES = [
  'started',
  'starting',
  'stopped',
  'stopping',
  'request_stop',
  'disabled',
  'ignored',
  'freeze',
  'fence',
  'recovery',
  'migrate',
  'relocate',
  'queued',
  'error',
] as const;

/** Failed PVE tasks, HA service states and replication jobs from the pve-tasks source. */
export function registerPveTaskMetrics(registry: Registry, snapshots: SnapshotReader): void {
  const snap = () => snapshots.latest<PveTasksSnapshot>(PVE_TASKS_SOURCE);

  snapshotCounter(
    registry,
    {
      name: 'proxmon_pve_tasks_failed_total',
      help: 'PVE tasks that ended in an error, by task type, each counted once since the exporter started',
      labelNames: ['type'],
    },
    (emit) => {
      for (const [type, n] of snap()?.failedTotals ?? []) emit({ type }, n);
    },
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_ha_state',
      help: 'HA-managed service state: 1 for the current state, 0 for the others (in scope node: services on this node)',
      labelNames: ['sid', 'state'],
    },
    (emit) => {
      for (const e of snap()?.ha ?? []) {
        if (e.type !== 'service' || e.sid === undefined || e.state === undefined) continue;
        for (const state of HA_STATES) emit({ sid: e.sid, state }, state === e.state ? 1 : 0);
        if (!(HA_STATES as readonly string[]).includes(e.state)) emit({ sid: e.sid, state: e.state }, 1);
      }
    },
  );
  const jobs = () => snap()?.replication ?? [];
  // Not `job`: Prometheus' target label would rename it to exported_job (or, honoured, replace the scrape job).
  snapshotGauge(
    registry,
    {
      name: 'proxmon_replication_last_sync_timestamp_seconds',
      help: 'When the replication job last synced successfully; absent when it never has',
      labelNames: ['replication_job', 'vmid'],
    },
    (emit) => {
      for (const j of jobs()) emit({ replication_job: j.id, vmid: j.guest ?? '' }, j.lastSync);
    },
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_replication_failed',
      help: '1 when the last run of the replication job failed',
      labelNames: ['replication_job', 'vmid'],
    },
    (emit) => {
      for (const j of jobs())
        emit(
          { replication_job: j.id, vmid: j.guest ?? '' },
          j.failed === undefined ? undefined : j.failed ? 1 : 0,
        );
    },
  );
}
