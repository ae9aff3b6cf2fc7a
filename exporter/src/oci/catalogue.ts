import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** PVE 9.1's pattern for `oci-registry-pull --reference`: registry/name:tag, a tag always given. */
export const OCI_REFERENCE =
  /^(?:(?:[a-zA-Z\d]|[a-zA-Z\d][a-zA-Z\d-]*[a-zA-Z\d])(?:\.(?:[a-zA-Z\d]|[a-zA-Z\d][a-zA-Z\d-]*[a-zA-Z\d]))*(?::\d+)?\/)?[a-z\d]+(?:(?:[._]|__|[-]*)[a-z\d]+)*(?:\/[a-z\d]+(?:(?:[._]|__|[-]*)[a-z\d]+)*)*:\w[\w.-]{0,127}$/;

/** App ids become PVE tags (`oci-<id>`) and template file names, so they stay in the tag alphabet. */
export const APP_ID = /^[a-z0-9][a-z0-9-]{0,40}$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const appSchema = z.strictObject({
  id: z.string().regex(APP_ID),
  name: z.string().min(1).max(100),
  description: z.string().max(500),
  image: z.string().regex(OCI_REFERENCE, 'an OCI reference with a tag (registry/name:tag)'),
  website: z.url().optional(),
  resources: z.strictObject({
    cores: z.number().int().min(1).max(64),
    memory_mb: z.number().int().min(16).max(65_536),
    swap_mb: z.number().int().min(0).max(65_536),
    disk_gb: z.number().int().min(1).max(1024),
  }),
  ports: z.array(
    z.strictObject({
      port: z.number().int().min(1).max(65_535),
      protocol: z.enum(['tcp', 'udp']),
      description: z.string().max(100),
    }),
  ),
  /** Variables the image understands; none is set unless a deployment gives a value. */
  env: z.array(z.strictObject({ name: z.string().regex(ENV_NAME), description: z.string().max(200) })),
});

const catalogueSchema = z
  .strictObject({ version: z.literal(1), apps: z.array(appSchema).min(1) })
  .refine((c) => new Set(c.apps.map((a) => a.id)).size === c.apps.length, 'app ids must be unique');

export type OciApp = z.infer<typeof appSchema>;
export type OciCatalogue = z.infer<typeof catalogueSchema>;

/**
 * The catalogue shipped in the repo. It sits beside this module in `src/`; the build (`dist/`) does
 * not copy JSON that is not imported, so from `dist/oci/` the file is found in `../../src/oci/`.
 */
export function defaultCatalogueFile(): string {
  const beside = fileURLToPath(new URL('./catalogue.json', import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL('../../src/oci/catalogue.json', import.meta.url));
}

/** Reads and validates a catalogue; a bad file is a startup error (thrown), never a half-read list. */
export function loadCatalogue(file = defaultCatalogueFile()): OciCatalogue {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`OCI catalogue ${file} cannot be read: ${(err as Error).message}`);
  }
  const r = catalogueSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(
      `OCI catalogue ${file} is invalid: ${issue?.path.join('.') || '(top)'}: ${issue?.message}`,
    );
  }
  return r.data;
}

/** The template file an app's image is pulled to: `<storage>:vztmpl/<name>.tar` (PVE adds `.tar`). */
export function templateName(app: OciApp): string {
  const tag = app.image.slice(app.image.lastIndexOf(':') + 1).toLowerCase();
  return `proxmon-${app.id}-${tag.replace(/[^a-z0-9._-]/g, '_')}`;
}
