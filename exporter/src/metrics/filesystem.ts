import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import {
  FILESYSTEMS_SOURCE,
  type Filesystem,
  type FilesystemsSnapshot,
} from '../sources/filesystems/index.js';
import { snapshotGauge } from './define.js';

export const metricNames = [
  'proxmon_filesystem_size_bytes',
  'proxmon_filesystem_avail_bytes',
  'proxmon_filesystem_used_bytes',
  'proxmon_filesystem_readonly',
  'proxmon_filesystem_files',
  'proxmon_filesystem_files_free',
  'proxmon_filesystem_device_error',
] as const;

const labelNames = ['mountpoint', 'device', 'fstype'] as const;

export function registerFilesystemMetrics(registry: Registry, snapshots: SnapshotReader): void {
  const gauge = (
    name: (typeof metricNames)[number],
    help: string,
    pick: (fs: Filesystem) => number | undefined,
  ) =>
    snapshotGauge(registry, { name, help, labelNames }, (emit) => {
      for (const fs of snapshots.latest<FilesystemsSnapshot>(FILESYSTEMS_SOURCE)?.filesystems ?? []) {
        emit({ mountpoint: fs.mountpoint, device: fs.device, fstype: fs.fstype }, pick(fs));
      }
    });

  gauge('proxmon_filesystem_size_bytes', 'Filesystem size in bytes', (fs) => fs.sizeBytes);
  gauge('proxmon_filesystem_avail_bytes', 'Bytes available to unprivileged users', (fs) => fs.availBytes);
  gauge('proxmon_filesystem_used_bytes', 'Bytes in use (size - free, as df counts it)', (fs) => fs.usedBytes);
  gauge('proxmon_filesystem_readonly', '1 if the filesystem is mounted read-only', (fs) =>
    fs.readonly ? 1 : 0,
  );
  gauge('proxmon_filesystem_files', 'Total inodes', (fs) => fs.files);
  gauge('proxmon_filesystem_files_free', 'Free inodes', (fs) => fs.filesFree);
  gauge(
    'proxmon_filesystem_device_error',
    '1 if statfs failed, timed out, or is backed off after hanging (a dead network mount)',
    (fs) => (fs.deviceError ? 1 : 0),
  );
}
