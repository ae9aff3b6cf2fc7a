export {
  DEFAULT_HEALTH_STORE_OPTIONS,
  HealthStore,
  type CleanupResult,
  type HealthStoreOptions,
} from './health-store.js';
export type { ExclusionInput } from './exclusions.js';
export {
  categorySuppressionSchema,
  DEFAULT_SUPPRESSION,
  healthSettingsPatchSchema,
  MAX_DISMISS_HOURS,
  type CategorySuppression,
  type HealthSettings,
  type HealthSettingsPatch,
  type SuppressionSettings,
} from './settings.js';
export * from './types.js';
