import { Router } from 'express';
import type { z } from 'zod';
import {
  detectInstalledTools,
  hostFiles,
  updateStatus,
  type HostFiles,
  type ToolStatus,
  type UpdateStatus,
} from '../proxmenux/detect.js';
import {
  installedToolsResponse,
  toolSchema,
  updateStatusResponse,
  updateStatusSchema,
} from './proxmenux-schema.js';
import { ApiRouter } from './route.js';

export interface ProxmenuxRouterDeps {
  /** The host's root (config `paths.rootfs`); ProxMenux's files are read under it. */
  rootfs: string;
  /** The newest ProxMenux version, when config knows it (`proxmenux.latest_version`); no network is used. */
  latestVersion?: string;
  /** Replaces the file reader (tests). */
  files?: HostFiles;
}

const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function toolView(t: ToolStatus): z.input<typeof toolSchema> {
  return {
    key: t.key,
    name: t.name,
    installed: t.installed,
    evidence: t.evidence,
    registry_only: t.registryOnly,
    registered: t.registered ? t.registered.installed : null,
    registered_version: nul(t.registered?.version),
    registered_source: nul(t.registered?.source),
    mismatch:
      !t.registryOnly && t.registered !== undefined && t.registered.installed !== t.evidence.length > 0,
    deprecated: t.deprecated,
  };
}

function updateView(u: UpdateStatus): z.input<typeof updateStatusSchema> {
  return {
    installed_version: nul(u.installedVersion),
    latest_version: nul(u.latestVersion),
    latest_source: nul(u.latestSource),
    status: u.state,
    update_available: u.state === 'unknown' ? null : u.state === 'update_available',
    reason: u.reason,
  };
}

/**
 * ProxMenux integration: which of its post-install optimisations this host has, read from the files
 * they leave (and ProxMenux's own registry), and whether a newer ProxMenux is known. Read-only: nothing
 * here runs ProxMenux or reaches the network.
 */
export function createProxmenuxRouter(deps: ProxmenuxRouterDeps): ApiRouter {
  const files = deps.files ?? hostFiles(deps.rootfs);
  const api = new ApiRouter('/api/proxmenux', Router(), 'proxmenux');

  api.route(
    {
      method: 'get',
      path: '/installed-tools',
      auth: 'read',
      summary:
        'ProxMenux post-install optimisations present on this host (from their files) and its update status',
      response: installedToolsResponse,
    },
    async () => {
      const [found, update] = await Promise.all([
        detectInstalledTools(files),
        updateStatus(files, deps.latestVersion),
      ]);
      const installed = found.tools.filter((t) => t.installed).sort((a, b) => a.name.localeCompare(b.name));
      return {
        proxmenux: {
          present: found.proxmenux.present,
          version: nul(found.proxmenux.version),
          registry: found.proxmenux.registry,
          registry_error: nul(found.proxmenux.registryError),
        },
        installed_tools: installed.map(toolView),
        not_installed: found.tools.filter((t) => !t.installed).map((t) => t.key),
        total_count: installed.length,
        update: updateView(update),
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/update-status',
      auth: 'read',
      summary:
        'Installed ProxMenux version against the latest known one (unknown without config or a cached check)',
      response: updateStatusResponse,
    },
    async () => ({ update: updateView(await updateStatus(files, deps.latestVersion)) }),
  );

  return api;
}
