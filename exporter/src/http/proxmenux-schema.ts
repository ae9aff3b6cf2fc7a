import { z } from 'zod';

/** Response shapes of /api/proxmenux. Unknown values are null. */

const str = z.string().nullable();

export const updateStatusSchema = z.object({
  installed_version: str.describe("ProxMenux's version.txt"),
  latest_version: str,
  latest_source: z
    .enum(['config', 'proxmenux'])
    .nullable()
    .describe(
      "config: proxmenux.latest_version; proxmenux: what ProxMenux's own update check left on the host",
    ),
  status: z.enum(['up_to_date', 'update_available', 'unknown']),
  update_available: z.boolean().nullable().describe('null when it cannot be known (no network is used)'),
  reason: z.string(),
});

export const toolSchema = z.object({
  key: z.string(),
  name: z.string(),
  installed: z
    .boolean()
    .describe('its files are on the host (or, for tools that leave none, the registry says so)'),
  evidence: z.array(z.string()).describe('host paths that show it'),
  registry_only: z.boolean().describe('leaves no file of its own: only the registry can tell'),
  registered: z.boolean().nullable().describe("ProxMenux's installed_tools.json; null without an entry"),
  registered_version: str,
  registered_source: str.describe('auto or custom post-install flow'),
  /** The registry and the files disagree: reverted by hand, or applied by something else. */
  mismatch: z.boolean(),
  deprecated: z.boolean(),
});

export const installedToolsResponse = z.object({
  proxmenux: z.object({
    present: z.boolean().describe('/usr/local/share/proxmenux exists'),
    version: str,
    registry: z.enum(['present', 'absent', 'invalid']),
    registry_error: str,
  }),
  installed_tools: z.array(toolSchema).describe('the optimisations present, by name'),
  not_installed: z.array(z.string()).describe('keys of known optimisations not found'),
  total_count: z.number().int(),
  update: updateStatusSchema,
});

export const updateStatusResponse = z.object({ update: updateStatusSchema });
