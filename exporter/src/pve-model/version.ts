import { z } from 'zod';
import { fail, ok, type Result } from '../sources/source.js';
import { objectOf, str } from './common.js';

export interface PveVersion {
  /** e.g. 9.2.2 */
  version: string;
  /** e.g. 9.2 */
  release?: string | undefined;
  repoid?: string | undefined;
}

const versionObj = z.object({ version: str, release: str, repoid: str });

/** `/version`. Without a `version` string there is nothing to report, so that is a parse error. */
export function parseVersion(input: unknown): Result<PveVersion> {
  const obj = objectOf(input, 'version');
  if (!obj.ok) return obj;
  const parsed = versionObj.safeParse(obj.value);
  if (!parsed.success) return fail('parse', `version: ${parsed.error.message}`);
  const v = parsed.data;
  if (v.version === undefined) return fail('parse', 'version: no "version" string');
  return ok({ version: v.version, release: v.release, repoid: v.repoid });
}
