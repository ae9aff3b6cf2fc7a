import { join } from 'node:path';
import type { Source } from '../source.js';
import { parseFileNr, type FileNr } from './parse.js';

export type { FileNr } from './parse.js';

export const FILEFD_SOURCE = 'filefd';

/** /proc/sys/fs/file-nr: system-wide file handles in use against fs.file-max. */
export function createFilefdSource(): Source<FileNr> {
  return {
    name: FILEFD_SOURCE,
    intervalSeconds: 15,
    timeoutSeconds: 3,
    async collect(ctx) {
      const text = await ctx.readText(join(ctx.paths.procfs, 'sys', 'fs', 'file-nr'));
      return text.ok ? parseFileNr(text.value) : text;
    },
  };
}
