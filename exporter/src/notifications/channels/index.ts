import { appriseChannel } from './apprise.js';
import { CHANNEL_TYPES, type ChannelKind, type ChannelType } from './channel.js';
import { discordChannel } from './discord.js';
import { emailChannel } from './email.js';
import { gotifyChannel } from './gotify.js';
import { matrixChannel } from './matrix.js';
import { ntfyChannel } from './ntfy.js';
import { pushoverChannel } from './pushover.js';
import { slackChannel } from './slack.js';
import { telegramChannel } from './telegram.js';
import { webhookChannel } from './webhook.js';

/** Every channel type, by the `type` used in YAML and the API. To add one, add its file and a line here. */
export const CHANNEL_KINDS: Readonly<Record<ChannelType, ChannelKind>> = {
  telegram: telegramChannel,
  discord: discordChannel,
  email: emailChannel,
  gotify: gotifyChannel,
  apprise: appriseChannel,
  ntfy: ntfyChannel,
  slack: slackChannel,
  matrix: matrixChannel,
  pushover: pushoverChannel,
  webhook: webhookChannel,
};

export function isChannelType(value: string): value is ChannelType {
  return (CHANNEL_TYPES as readonly string[]).includes(value);
}
