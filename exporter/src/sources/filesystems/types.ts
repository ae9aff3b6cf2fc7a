/** One line of a mount table (/proc/<pid>/mounts), with its escapes decoded. */
export interface Mount {
  device: string;
  mountpoint: string;
  fstype: string;
  options: string[];
  readonly: boolean;
}

/** statfs figures in bytes and inodes; `used` is size - free, as df computes it. */
export interface FilesystemStats {
  sizeBytes: number;
  freeBytes: number;
  availBytes: number;
  usedBytes: number;
  files: number;
  filesFree: number;
}

export interface Filesystem extends Partial<FilesystemStats> {
  /** The host's mountpoint (without the rootfs prefix used to stat it). */
  mountpoint: string;
  device: string;
  fstype: string;
  readonly: boolean;
  /** statfs gave no figures this round: it failed, timed out, or the mount is backed off. */
  deviceError: boolean;
  /** statfs hung (a dead network mount); it is not retried for a number of rounds. */
  stuck: boolean;
  error?: string;
}

export interface FilesystemsSnapshot {
  filesystems: Filesystem[];
}
