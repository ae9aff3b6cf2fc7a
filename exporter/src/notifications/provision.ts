import { ConfigError, resolveSecretRefs, type Config } from '../config.js';
import { ChannelConfigError } from './channel-store.js';
import type { NotificationEngine } from './engine.js';
import { notifySettingsSchema } from './settings.js';

/**
 * Applies `notifications:` from the YAML config: settings, and channels as code (created or replaced;
 * channels provisioned earlier and now gone from the file are deleted, those made in the API are kept).
 */
export function provisionNotifications(engine: NotificationEngine, config: Config): void {
  const n = config.notifications;
  if (n.settings) {
    const r = notifySettingsSchema.partial().safeParse(n.settings);
    if (!r.success)
      throw new ConfigError(
        `invalid config: notifications.settings: ${r.error.issues[0]?.message ?? 'invalid'}`,
      );
    engine.putSettings(r.data);
  }
  const names = new Set<string>();
  n.channels.forEach((raw, i) => {
    const where = `notifications.channels.${i}`;
    try {
      const stored = engine.channels.put(resolveSecretRefs(raw, where), 'config');
      names.add(stored.spec.name);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      const message =
        err instanceof ChannelConfigError
          ? err.message
          : ((err as { issues?: Array<{ path: unknown[]; message: string }> }).issues?.map(
              (x) => `${x.path.join('.')}: ${x.message}`,
            )[0] ?? String(err));
      throw new ConfigError(`invalid config: ${where}: ${message}`);
    }
  });
  for (const c of engine.channels.list())
    if (c.source === 'config' && !names.has(c.spec.name)) engine.channels.delete(c.spec.name);
}
