import { api } from '../../api/client';

// The exporter's health settings API (exporter/src/http/health.ts) and the PVE storage list
// (exporter/src/http/pve.ts), as the Health settings page uses them.

/** How long a dismissal lasts when no duration is given: whole hours, or permanent. */
export type DismissHours = number | 'permanent';

export interface Suppression {
  dismiss_hours: DismissHours;
  /** New errors of the category start dismissed. */
  auto_dismiss: boolean;
}

export interface HealthSettings {
  /** Per category (cpu, memory, …), in the exporter's order. */
  suppression: Record<string, Suppression>;
}

export type SuppressionPatch = Record<string, Partial<Suppression>>;

/** The exporter's MAX_DISMISS_HOURS (exporter/src/health/store/settings.ts): ten years. */
export const MAX_DISMISS_HOURS = 87_600;

export type ThresholdUnit = '%' | '°C' | 'ms' | 's' | 'count' | 'days' | 'ratio';

export interface ThresholdEntry {
  value: number;
  default: number;
  /** An override is stored (even one equal to the default). */
  customised: boolean;
  unit: ThresholdUnit | string;
  min: number;
  max: number;
  description: string;
}

/** section (cpu, memory, …) → key (usage_warning, …) → entry. */
export type ThresholdTree = Record<string, Record<string, ThresholdEntry>>;
export type ThresholdPatch = Record<string, Record<string, number>>;

export type ExclusionKind = 'storage' | 'interface';

export interface Exclusion {
  kind: ExclusionKind;
  name: string;
  /** Kept out of health checks. */
  exclude_health: boolean;
  /** Its events are not notified. */
  exclude_notifications: boolean;
  reason: string | null;
  created_at: string | null;
}

export interface ExclusionBody {
  exclude_health: boolean;
  exclude_notifications: boolean;
  reason?: string;
}

export interface HealthInterface {
  name: string;
  type: string;
  up: boolean | null;
  address: string | null;
  excluded_from_health: boolean;
  excluded_from_notifications: boolean;
}

export interface PveStorage {
  storage: string;
  type: string | null;
  active: boolean | null;
  enabled: boolean | null;
}

export interface PveStorageList {
  node: string | null;
  storages: PveStorage[];
  source: { enabled: boolean; up: boolean; absent?: boolean; error: string | null };
}

export const getHealthSettings = () => api<HealthSettings>('health/settings');
export const putHealthSettings = (suppression: SuppressionPatch) =>
  api<HealthSettings>('health/settings', { method: 'PUT', data: { suppression } });

export const getThresholds = () => api<ThresholdTree>('health/thresholds');
export const putThresholds = (patch: ThresholdPatch) =>
  api<ThresholdTree>('health/thresholds', { method: 'PUT', data: patch });
/** Drops the overrides of one section, or of all when `section` is left out. */
export const resetThresholds = (section?: string) =>
  api<ThresholdTree>('health/thresholds/reset', { method: 'POST', data: section ? { section } : {} });

const exclusionPath = (kind: ExclusionKind, name: string) =>
  `health/exclusions/${kind}/${encodeURIComponent(name)}`;

export const getExclusions = () => api<{ exclusions: Exclusion[] }>('health/exclusions');
/** Adds an exclusion or replaces its flags and reason. */
export const putExclusion = (kind: ExclusionKind, name: string, body: ExclusionBody) =>
  api<Exclusion>(exclusionPath(kind, name), { method: 'PUT', data: body });
export const deleteExclusion = (kind: ExclusionKind, name: string) =>
  api<{ ok: true }>(exclusionPath(kind, name), { method: 'DELETE' });

export const getHealthInterfaces = () => api<{ interfaces: HealthInterface[] }>('health/interfaces');
export const getPveStorages = () => api<PveStorageList>('storage/pve');
