import { fail, ok, type Result } from '../source.js';
import type { FilesystemStats, Mount } from './types.js';

/** The kernel writes space, tab, newline and backslash in mount fields as 3-digit octal escapes. */
export function decodeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * Parses /proc/<pid>/mounts. Lines with fewer than four fields are skipped; a table with no usable
 * line at all is an error (a real one always has at least the root).
 */
export function parseMounts(text: string): Result<Mount[]> {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) continue;
    const [device, mountpoint, fstype, options] = fields.map(decodeMountField) as [
      string,
      string,
      string,
      string,
    ];
    const opts = options.split(',');
    mounts.push({ device, mountpoint, fstype, options: opts, readonly: opts.includes('ro') });
  }
  if (mounts.length === 0) return fail('parse', 'mount table: no mount lines');
  return ok(mounts);
}

/** The `stat -f -c` format parseStatfs expects: total, free, available blocks, block size, inodes, free inodes. */
export const STATFS_FORMAT = '%b %f %a %S %c %d';

/** STATFS_FORMAT followed by the path as given, so one `stat -f` can answer for many paths. */
export const STATFS_NAMED_FORMAT = `${STATFS_FORMAT} %n`;

/**
 * Parses `stat -f -c STATFS_NAMED_FORMAT` over several paths: figures by path. stat prints a line for
 * each path it could read, in order, and an error on stderr for the others, so a path is looked up by
 * name rather than by position. Lines that do not parse are left out (their path counts as unread).
 */
export function parseStatfsByPath(text: string): Map<string, FilesystemStats> {
  const byPath = new Map<string, FilesystemStats>();
  for (const line of text.split('\n')) {
    const fields = /^((?:\d+ ){5}\d+) (.+)$/.exec(line);
    if (!fields) continue;
    const stats = parseStatfs(fields[1] ?? '');
    if (stats.ok) byPath.set(fields[2] ?? '', stats.value);
  }
  return byPath;
}

/** Parses one line of `stat -f -c '%b %f %a %S %c %d'`. */
export function parseStatfs(text: string): Result<FilesystemStats> {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 6 || !fields.every((f) => /^\d+$/.test(f))) {
    return fail('parse', `stat -f: expected 6 counts, got ${JSON.stringify(text.slice(0, 80))}`);
  }
  const [blocks, free, avail, blockSize, files, filesFree] = fields.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return ok({
    sizeBytes: blocks * blockSize,
    freeBytes: free * blockSize,
    availBytes: avail * blockSize,
    usedBytes: (blocks - free) * blockSize,
    files,
    filesFree,
  });
}
