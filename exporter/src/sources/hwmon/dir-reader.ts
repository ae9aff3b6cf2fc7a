import { readdir, readlink } from 'node:fs/promises';
import { fail, ok, type Result } from '../source.js';

/**
 * Directory listing and symlink reading for sysfs trees. SourceContext only offers readText, and
 * hwmon has to enumerate hwmonN/ and its attribute files and read the `device`/`subsystem` links
 * that name the chip, so the source takes this as a dependency (defaulting to node:fs).
 */
export interface DirReader {
  /** Entry names; `absent` when the directory does not exist. */
  listDir(path: string): Promise<Result<string[]>>;
  /** The link's target text; `absent` when there is no such link. */
  readLink(path: string): Promise<Result<string>>;
}

export const nodeDirReader: DirReader = {
  async listDir(path) {
    try {
      return ok(await readdir(path));
    } catch (err) {
      return failure(path, err);
    }
  },
  async readLink(path) {
    try {
      return ok(await readlink(path));
    } catch (err) {
      return failure(path, err);
    }
  },
};

function failure(path: string, err: unknown) {
  const code = (err as NodeJS.ErrnoException).code;
  // EINVAL: the path exists but is not a link, which for our callers means "no link".
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EINVAL')
    return fail('absent', `${path}: not present`);
  return fail('io', `${path}: ${(err as Error).message}`);
}
