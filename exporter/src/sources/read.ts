import { readFile } from 'node:fs/promises';
import { fail, ok, type Result } from './source.js';

export type ReadText = (path: string) => Promise<Result<string>>;

/**
 * Reads a small pseudo-file (/proc, /sys). A missing file is `absent` (the kernel feature is not
 * there), anything else is `io`. These files never block, unlike statfs on a dead network mount.
 */
export const readText: ReadText = async (path) => {
  try {
    return ok(await readFile(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return fail('absent', `${path}: not present`);
    return fail('io', `${path}: ${(err as Error).message}`);
  }
};
