import { z } from 'zod';
import type { Db } from '../../store/db.js';
import { CATEGORIES, type Category } from '../finding.js';
import { hoursToColumn } from './error-row.js';
import type { DismissHours } from './types.js';

/** A category's dismissal default. */
export interface CategorySuppression {
  /** How long a dismissal that names no duration lasts: whole hours, or permanent. */
  dismissHours: DismissHours;
  /**
   * New errors of this category are stored already dismissed for `dismissHours`. Off unless the user
   * turns it on (the original silently auto-dismissed whenever the duration differed from 24 h).
   */
  autoDismiss: boolean;
}

export type SuppressionSettings = Record<Category, CategorySuppression>;

export interface HealthSettings {
  suppression: SuppressionSettings;
}

export const DEFAULT_SUPPRESSION: Readonly<CategorySuppression> = { dismissHours: 24, autoDismiss: false };
/** Ten years: anything longer is "permanent". */
export const MAX_DISMISS_HOURS = 87_600;

export const categorySuppressionSchema = z
  .object({
    dismissHours: z.union([z.number().int().min(1).max(MAX_DISMISS_HOURS), z.literal('permanent')]),
    autoDismiss: z.boolean(),
  })
  .strict();

/** A settings change: per category, any of its fields; the rest keep their stored value. */
export const healthSettingsPatchSchema = z
  .object({
    suppression: z.partialRecord(z.enum(CATEGORIES), categorySuppressionSchema.partial()).optional(),
  })
  .strict();
export type HealthSettingsPatch = z.infer<typeof healthSettingsPatchSchema>;

const THRESHOLD_OVERRIDES = 'threshold_overrides';

/** `health_suppression` and `health_settings`; callers hold the transaction. */
export class SettingsTable {
  private readonly selectSuppression;
  private readonly upsertSuppression;
  private readonly selectSetting;
  private readonly upsertSetting;

  constructor(db: Db) {
    this.selectSuppression = db.prepare(
      `SELECT category, dismiss_hours, auto_dismiss FROM health_suppression`,
    );
    this.upsertSuppression = db.prepare(
      `INSERT INTO health_suppression (category, dismiss_hours, auto_dismiss, updated_at)
       VALUES (@category, @dismiss_hours, @auto_dismiss, @now)
       ON CONFLICT (category) DO UPDATE SET dismiss_hours = excluded.dismiss_hours,
         auto_dismiss = excluded.auto_dismiss, updated_at = excluded.updated_at`,
    );
    this.selectSetting = db.prepare(`SELECT value FROM health_settings WHERE key = ?`);
    this.upsertSetting = db.prepare(
      `INSERT INTO health_settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
  }

  suppression(): SuppressionSettings {
    const settings = Object.fromEntries(
      CATEGORIES.map((c) => [c, { ...DEFAULT_SUPPRESSION }]),
    ) as SuppressionSettings;
    const rows = this.selectSuppression.all() as {
      category: string;
      dismiss_hours: number | null;
      auto_dismiss: number;
    }[];
    for (const r of rows) {
      if (!(CATEGORIES as readonly string[]).includes(r.category)) continue;
      settings[r.category as Category] = {
        dismissHours: r.dismiss_hours ?? 'permanent',
        autoDismiss: r.auto_dismiss === 1,
      };
    }
    return settings;
  }

  putSuppression(category: Category, value: CategorySuppression, now: number): void {
    this.upsertSuppression.run({
      category,
      dismiss_hours: hoursToColumn(value.dismissHours),
      auto_dismiss: value.autoDismiss ? 1 : 0,
      now,
    });
  }

  thresholdOverrides(): Record<string, unknown> {
    const row = this.selectSetting.get(THRESHOLD_OVERRIDES) as { value: string } | undefined;
    if (!row) return {};
    const value: unknown = JSON.parse(row.value);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  }

  putThresholdOverrides(overrides: Record<string, unknown>, now: number): void {
    this.upsertSetting.run(THRESHOLD_OVERRIDES, JSON.stringify(overrides), now);
  }
}
