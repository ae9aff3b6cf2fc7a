import React, { type FormEvent, useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { css } from '@emotion/css';
import type { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, SecretInput, Stack, useStyles2 } from '@grafana/ui';
import { api, ApiError, toApiError } from '../../api/client';
import { PLUGIN_ID, type AppJsonData, type SecureKey } from '../../constants';
import { testIds } from '../testIds';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppJsonData>> {}

interface Secret {
  /** What the admin typed; sent only when `changed`. */
  value: string;
  /** Grafana holds a value (secureJsonFields); it never sends it back. */
  configured: boolean;
  changed: boolean;
}

const secret = (configured: boolean): Secret => ({ value: '', configured, changed: false });

/** One of the exporter tokens: typing marks it changed; Reset clears the one Grafana holds. */
const TokenField = ({
  label,
  description,
  id,
  testId,
  secret,
  onChange,
}: {
  label: string;
  description: string;
  id: string;
  testId: string;
  secret: Secret;
  onChange: (next: Partial<Secret>) => void;
}) => (
  <Field label={label} description={description}>
    <SecretInput
      width={60}
      id={id}
      data-testid={testId}
      value={secret.value}
      isConfigured={secret.configured}
      placeholder="pxm_…"
      onChange={(e) => onChange({ value: e.currentTarget.value, changed: true })}
      onReset={() => onChange({ value: '', configured: false, changed: true })}
    />
  </Field>
);

/** An http(s) URL without query or fragment; returns an error message, or undefined when valid. */
export function validateExporterUrl(raw: string): string | undefined {
  const v = raw.trim();
  if (v === '') {
    return 'The exporter URL is required';
  }
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return 'Not a URL; e.g. http://pve1.lan:8008';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return 'Use http:// or https://';
  }
  if (u.search || u.hash) {
    return 'Leave out the query and fragment';
  }
  return undefined;
}

/** Routes append `/api/...`, so a trailing slash would make `//api`. */
export const normaliseExporterUrl = (raw: string) => raw.trim().replace(/\/+$/, '');

type Check = { label: string; ok: boolean; message: string };

const explain = (e: ApiError, token: string): string => {
  switch (e.kind) {
    case 'unauthorized':
      return `401: the exporter refused the ${token} (${e.message})`;
    case 'forbidden':
      return e.code === 'route_denied'
        ? `403: your Grafana role may not use this route`
        : `403: the ${token} lacks the scope (${e.message})`;
    case 'network':
      return `network error: ${e.message}`;
    case 'no-route':
      return `no plugin route (${e.message}); restart Grafana after updating the plugin`;
    default:
      return `${e.status || 'error'}: ${e.message}`;
  }
};

interface SystemInfo {
  hostname?: string;
  os?: string;
  pve_version?: string | null;
}

/** Checks the saved settings through Grafana's proxy: the read token on a Viewer route, the admin token on an Admin one. */
async function testConnection(adminConfigured: boolean): Promise<Check[]> {
  const checks: Check[] = [];
  try {
    const sys = await api<SystemInfo>('system');
    const what = [sys.hostname, sys.pve_version ? `PVE ${sys.pve_version}` : sys.os]
      .filter(Boolean)
      .join(', ');
    checks.push({ label: 'Read token', ok: true, message: `OK: connected to ${what || 'the exporter'}` });
  } catch (e) {
    checks.push({ label: 'Read token', ok: false, message: explain(toApiError(e), 'read token') });
  }
  if (!adminConfigured) {
    checks.push({
      label: 'Admin token',
      ok: false,
      message: 'not set: settings, dismissals and the terminal will fail',
    });
    return checks;
  }
  try {
    await api<unknown>('auth/users');
    checks.push({ label: 'Admin token', ok: true, message: 'OK: accepted with the admin scope' });
  } catch (e) {
    checks.push({ label: 'Admin token', ok: false, message: explain(toApiError(e), 'admin token') });
  }
  return checks;
}

const AppConfig = ({ plugin }: AppConfigProps) => {
  const s = useStyles2(getStyles);
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [url, setUrl] = useState(jsonData?.exporterUrl ?? '');
  const [urlTouched, setUrlTouched] = useState(false);
  const [secrets, setSecrets] = useState<Record<SecureKey, Secret>>({
    readToken: secret(Boolean(secureJsonFields?.readToken)),
    adminToken: secret(Boolean(secureJsonFields?.adminToken)),
  });
  const [saved, setSaved] = useState({ url: jsonData?.exporterUrl ?? '', enabled: Boolean(enabled) });
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const [justSaved, setJustSaved] = useState(false);
  const [testing, setTesting] = useState(false);
  const [checks, setChecks] = useState<Check[]>();

  const urlError = validateExporterUrl(url);
  const dirty =
    normaliseExporterUrl(url) !== saved.url || secrets.readToken.changed || secrets.adminToken.changed;

  const setSecret = (key: SecureKey, next: Partial<Secret>) =>
    setSecrets((cur) => ({ ...cur, [key]: { ...cur[key], ...next } }));

  const onSave = async (e: FormEvent) => {
    e.preventDefault();
    setUrlTouched(true);
    if (urlError) {
      return;
    }
    setSaving(true);
    setSaveError(undefined);
    setJustSaved(false);
    // Grafana keeps secrets that are not sent and overwrites those that are: send only what changed.
    const secureJsonData = Object.fromEntries(
      (Object.keys(secrets) as SecureKey[])
        .filter((k) => secrets[k].changed)
        .map((k) => [k, secrets[k].value.trim()]),
    );
    const exporterUrl = normaliseExporterUrl(url);
    try {
      await lastValueFrom(
        getBackendSrv().fetch({
          url: `/api/plugins/${PLUGIN_ID}/settings`,
          method: 'POST',
          data: {
            enabled: true,
            pinned: saved.enabled ? pinned : true,
            jsonData: { ...jsonData, exporterUrl },
            ...(Object.keys(secureJsonData).length ? { secureJsonData } : {}),
          },
          showErrorAlert: false,
        }),
      );
      setUrl(exporterUrl);
      setSaved({ url: exporterUrl, enabled: true });
      setSecrets((cur) => ({
        readToken: cur.readToken.changed ? secret(cur.readToken.value.trim() !== '') : cur.readToken,
        adminToken: cur.adminToken.changed ? secret(cur.adminToken.value.trim() !== '') : cur.adminToken,
      }));
      setJustSaved(true);
      setChecks(undefined);
    } catch (err) {
      setSaveError(toApiError(err).message);
    } finally {
      setSaving(false);
    }
  };

  const onTest = async () => {
    setTesting(true);
    setChecks(undefined);
    try {
      setChecks(await testConnection(secrets.adminToken.configured));
    } finally {
      setTesting(false);
    }
  };

  const allOk = checks?.every((c) => c.ok);

  return (
    <form onSubmit={onSave} data-testid={testIds.appConfig.form}>
      <FieldSet label="Exporter">
        <Field
          label="Exporter URL"
          description="Where Grafana's server reaches the proxmon exporter, e.g. http://pve1.lan:8008 (the browser never calls it)."
          invalid={urlTouched && Boolean(urlError)}
          error={urlTouched ? urlError : undefined}
          required
        >
          <Input
            width={60}
            id="config-exporter-url"
            data-testid={testIds.appConfig.exporterUrl}
            value={url}
            placeholder="http://pve1.lan:8008"
            onChange={(e) => setUrl(e.currentTarget.value)}
            onBlur={() => setUrlTouched(true)}
          />
        </Field>
        <TokenField
          label="Read token"
          description="An exporter API token with the read scope (proxmon token create --scope read). Sent by the routes every Grafana user may use."
          id="config-read-token"
          testId={testIds.appConfig.readToken}
          secret={secrets.readToken}
          onChange={(next) => setSecret('readToken', next)}
        />
        <TokenField
          label="Admin token"
          description="A token with the read, write, admin and terminal scopes. Sent only by the routes for Grafana admins: changes, dismissals, security and the terminal."
          id="config-admin-token"
          testId={testIds.appConfig.adminToken}
          secret={secrets.adminToken}
          onChange={(next) => setSecret('adminToken', next)}
        />
        <Stack gap={1}>
          <Button
            type="submit"
            data-testid={testIds.appConfig.save}
            disabled={saving || (!dirty && saved.enabled)}
          >
            {saving ? 'Saving…' : saved.enabled ? 'Save' : 'Save and enable'}
          </Button>
          <Button
            type="button"
            variant="secondary"
            icon={testing ? 'spinner' : 'heart-rate'}
            data-testid={testIds.appConfig.test}
            disabled={testing || !saved.url}
            onClick={onTest}
          >
            Test connection
          </Button>
        </Stack>
        {dirty && saved.url ? (
          <div className={s.hint}>Unsaved changes: Test connection uses the saved settings.</div>
        ) : null}
        {saveError ? (
          <Alert
            severity="error"
            title="Could not save"
            data-testid={testIds.appConfig.saveError}
            className={s.alert}
          >
            {saveError}
          </Alert>
        ) : null}
        {justSaved ? <Alert severity="success" title="Saved" className={s.alert} /> : null}
        {checks ? (
          <div data-testid={testIds.appConfig.testResult}>
            <Alert
              severity={allOk ? 'success' : 'error'}
              title={allOk ? 'Connection OK' : 'Connection problem'}
              className={s.alert}
            >
              {checks.map((c) => (
                <div key={c.label}>
                  {c.label}: {c.message}
                </div>
              ))}
            </Alert>
          </div>
        ) : null}
      </FieldSet>
    </form>
  );
};

export default AppConfig;

const getStyles = (theme: GrafanaTheme2) => ({
  hint: css({ marginTop: theme.spacing(1), color: theme.colors.text.secondary }),
  alert: css({ marginTop: theme.spacing(2) }),
});
