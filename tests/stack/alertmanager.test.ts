import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertmanagerConfig } from './paths.js';

const run = promisify(execFile);

interface Config {
  route: { receiver: string; group_by: string[] };
  receivers: Array<{
    name: string;
    webhook_configs?: Array<{
      url: string;
      send_resolved?: boolean;
      http_config?: { authorization?: { type?: string; credentials_file?: string } };
    }>;
  }>;
}

describe('alerting/alertmanager.yml', () => {
  it('passes amtool check-config', async () => {
    const { stdout } = await run('amtool', ['check-config', alertmanagerConfig]);
    expect(stdout).toMatch(/SUCCESS/);
  });

  it("routes everything to the exporter's receiver with a bearer token, firing and resolved", () => {
    const config = parse(readFileSync(alertmanagerConfig, 'utf8')) as Config;
    expect(config.route.group_by).toEqual(['node', 'alertname']);
    const receiver = config.receivers.find((r) => r.name === config.route.receiver);
    expect(receiver?.webhook_configs).toHaveLength(1);
    const hook = receiver?.webhook_configs?.[0];
    expect(new URL(hook?.url ?? '').pathname).toBe('/api/notifications/alertmanager');
    expect(hook?.send_resolved).toBe(true);
    expect(hook?.http_config?.authorization).toMatchObject({ type: 'Bearer' });
    expect(hook?.http_config?.authorization?.credentials_file).toMatch(/^\//);
  });
});
