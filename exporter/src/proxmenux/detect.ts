import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readText as readFileText, type ReadText } from '../sources/read.js';
import {
  compareVersions,
  parseToolRegistry,
  parseUpdateCache,
  parseVersionFile,
  type RegisteredTool,
} from './parse.js';
import { PROXMENUX_DIR, TOOLS, type Marker, type ToolDefinition } from './tools.js';

/** How the host's files are read; paths are host paths, joined under `rootfs` by the reader. */
export interface HostFiles {
  readText(path: string): Promise<string | undefined>;
  listDir(path: string): Promise<string[]>;
}

/** Marker files are small config files; a huge one is not ours and is not read whole. */
const MAX_MARKER_BYTES = 1024 * 1024;

/** Files under a root (`/` on the host, a recorded tree in tests); anything unreadable reads as absent. */
export function hostFiles(rootfs: string, read: ReadText = readFileText): HostFiles {
  return {
    async readText(path) {
      const r = await read(join(rootfs, path));
      return r.ok && r.value.length <= MAX_MARKER_BYTES ? r.value : undefined;
    },
    async listDir(path) {
      try {
        return (await readdir(join(rootfs, path))).sort();
      } catch {
        return [];
      }
    },
  };
}

export interface ToolStatus {
  key: string;
  name: string;
  installed: boolean;
  /** Host paths whose presence (and content) show the optimisation is applied. */
  evidence: string[];
  /** What ProxMenux's registry says; undefined when it has no entry (or there is no registry). */
  registered?: RegisteredTool;
  /** The tool leaves no file of its own: only the registry can tell. */
  registryOnly: boolean;
  deprecated: boolean;
}

async function matchMarker(files: HostFiles, m: Marker): Promise<string[]> {
  if ('file' in m) {
    const text = await files.readText(m.file);
    return text !== undefined && (!m.contains || m.contains.test(text)) ? [m.file] : [];
  }
  const found: string[] = [];
  for (const name of await files.listDir(m.dir)) {
    if (!m.name.test(name)) continue;
    const path = `${m.dir}/${name}`;
    const text = await files.readText(path);
    if (text !== undefined && (!m.contains || m.contains.test(text))) found.push(path);
  }
  return found;
}

const titleOf = (key: string) => key.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());

export interface InstalledTools {
  /** ProxMenux itself: its directory, version file and registry. */
  proxmenux: {
    present: boolean;
    version?: string;
    registry: 'present' | 'absent' | 'invalid';
    registryError?: string;
  };
  tools: ToolStatus[];
}

/**
 * Which ProxMenux optimisations this host has: each known tool's marker files, beside what ProxMenux's
 * own registry (`installed_tools.json`) records. A tool counts as installed when its files are there,
 * or, for the tools that leave none, when the registry says so; the registry alone does not outweigh
 * files that are gone (someone reverted the change by hand). Registry entries for tools this list does
 * not know are reported as they are.
 */
export async function detectInstalledTools(files: HostFiles): Promise<InstalledTools> {
  const versionText = await files.readText(`${PROXMENUX_DIR}/version.txt`);
  const registryText = await files.readText(`${PROXMENUX_DIR}/installed_tools.json`);
  const registry = registryText === undefined ? undefined : parseToolRegistry(registryText);
  const entries = registry?.ok ? registry.value : new Map<string, RegisteredTool>();
  const baseDir = await files.listDir(PROXMENUX_DIR);

  const statusOf = async (t: ToolDefinition): Promise<ToolStatus> => {
    const evidence = (await Promise.all(t.markers.map((m) => matchMarker(files, m)))).flat();
    const registered = [t.key, ...(t.aliases ?? [])].map((k) => entries.get(k)).find((e) => e !== undefined);
    const registryOnly = t.markers.length === 0;
    return {
      key: t.key,
      name: t.name,
      installed: registryOnly ? registered?.installed === true : evidence.length > 0,
      evidence,
      registered,
      registryOnly,
      deprecated: t.deprecated ?? false,
    };
  };
  const known = await Promise.all(TOOLS.map(statusOf));
  const knownKeys = new Set(TOOLS.flatMap((t) => [t.key, ...(t.aliases ?? [])]));
  const unknown: ToolStatus[] = [...entries]
    .filter(([key]) => !knownKeys.has(key))
    .map(([key, registered]) => ({
      key,
      name: titleOf(key),
      installed: registered.installed,
      evidence: [],
      registered,
      registryOnly: true,
      deprecated: false,
    }));
  return {
    proxmenux: {
      present: baseDir.length > 0 || versionText !== undefined,
      version: versionText === undefined ? undefined : parseVersionFile(versionText),
      registry: registry === undefined ? 'absent' : registry.ok ? 'present' : 'invalid',
      registryError: registry && !registry.ok ? registry.error.message : undefined,
    },
    tools: [...known, ...unknown],
  };
}

export type UpdateState = 'up_to_date' | 'update_available' | 'unknown';

export interface UpdateStatus {
  installedVersion?: string;
  latestVersion?: string;
  /** Where the latest version came from: proxmon's config, or what ProxMenux's own updater cached. */
  latestSource?: 'config' | 'proxmenux';
  state: UpdateState;
  reason: string;
}

/**
 * Installed ProxMenux version against a latest version known without the network: `latest` from
 * config, else what ProxMenux's own update check left on the host (`config.json` `update_available`,
 * or the `latest_version.txt` older installers wrote). Unknown when either side is missing.
 */
export async function updateStatus(files: HostFiles, latest?: string): Promise<UpdateStatus> {
  const installedText = await files.readText(`${PROXMENUX_DIR}/version.txt`);
  const installedVersion = installedText === undefined ? undefined : parseVersionFile(installedText);
  let latestVersion = latest === undefined ? undefined : parseVersionFile(latest);
  let latestSource: UpdateStatus['latestSource'] = latestVersion === undefined ? undefined : 'config';
  if (latestVersion === undefined) {
    const cache = await files.readText(`${PROXMENUX_DIR}/config.json`);
    const cached = await files.readText(`${PROXMENUX_DIR}/latest_version.txt`);
    latestVersion =
      (cache === undefined ? undefined : parseUpdateCache(cache)) ??
      (cached === undefined ? undefined : parseVersionFile(cached));
    latestSource = latestVersion === undefined ? undefined : 'proxmenux';
  }
  const base = { installedVersion, latestVersion, latestSource };
  if (installedVersion === undefined)
    return {
      ...base,
      state: 'unknown',
      reason:
        installedText === undefined
          ? `ProxMenux is not installed here (no ${PROXMENUX_DIR}/version.txt)`
          : `${PROXMENUX_DIR}/version.txt holds no version`,
    };
  if (latestVersion === undefined)
    return {
      ...base,
      state: 'unknown',
      reason:
        'the latest version is not known without the network: set proxmenux.latest_version in the config',
    };
  const cmp = compareVersions(installedVersion, latestVersion);
  if (cmp === undefined) return { ...base, state: 'unknown', reason: 'the versions cannot be compared' };
  return cmp < 0
    ? { ...base, state: 'update_available', reason: `${latestVersion} is newer than ${installedVersion}` }
    : { ...base, state: 'up_to_date', reason: `${installedVersion} is the latest known version` };
}
