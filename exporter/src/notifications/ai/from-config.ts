import { ConfigError, resolveSecretRefs, type Config } from '../../config.js';
import { aiSettingsSchema, type AiSettings } from './config.js';

/**
 * The YAML `notifications.ai` block, validated (secrets from env or files resolved), for the
 * settings store; a bad block stops the start with a message that names the key.
 */
export function aiSettingsFromConfig(config: Config): AiSettings | undefined {
  const raw = config.notifications.ai;
  if (!raw) return undefined;
  const parsed = aiSettingsSchema.safeParse(resolveSecretRefs(raw, 'notifications.ai'));
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  throw new ConfigError(
    `invalid config: notifications.ai.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
  );
}
