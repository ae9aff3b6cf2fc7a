import React, { type FormEvent, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Alert,
  Badge,
  Button,
  Combobox,
  Field,
  FieldSet,
  Input,
  RadioButtonGroup,
  SecretInput,
  Stack,
  Switch,
  Text,
  useStyles2,
} from '@grafana/ui';
import { ApiError, toApiError } from '../../api/client';
import { useApi } from '../../api/useApi';
import { AsyncView } from '../../components/PageState';
import { SwitchField } from '../../components/SwitchField';
import { testIds } from '../../components/testIds';
import {
  AI_DEFAULT_BASE_URLS,
  AI_PROVIDERS,
  getAi,
  getAiModels,
  putAi,
  testAi,
  type AiDetail,
  type AiProvider,
  type AiTestResult,
  type AiView,
} from './api';
import { ActionError, when } from './common';
import { checkHttpUrl } from './validate';

const ids = testIds.notifications.ai;

const PROVIDER_LABELS: Record<AiProvider, string> = {
  openai: 'OpenAI (or compatible)',
  anthropic: 'Anthropic',
  gemini: 'Google Gemini',
  groq: 'Groq',
  ollama: 'Ollama',
  openrouter: 'OpenRouter',
};
const DETAILS: Array<{ value: AiDetail; label: string }> = [
  { value: 'brief', label: 'Brief' },
  { value: 'standard', label: 'Standard' },
  { value: 'detailed', label: 'Detailed' },
];

/** AI rewrite of notification texts: provider, model (from the provider's list), language, detail, key; test. */
export function AiTab({ admin }: { admin: boolean }) {
  const state = useApi(getAi);
  // Here rather than in the form, which starts afresh from each saved version.
  const [saved, setSaved] = useState(false);
  if (state.error?.kind === 'not-found') {
    return (
      <div data-testid={ids.unavailable}>
        <Alert severity="info" title="AI rewrite settings are not available">
          This exporter does not offer the AI settings API ({state.error.message}). Update the exporter, or
          set the <code>notifications.ai</code> block in its YAML configuration.
        </Alert>
      </div>
    );
  }
  return (
    <AsyncView state={state} errorTitle="Could not load the AI settings">
      {(view) => (
        <AiForm
          key={view.updated_at ?? 'none'}
          view={view}
          admin={admin}
          saved={saved}
          setSaved={setSaved}
          onSaved={state.reload}
        />
      )}
    </AsyncView>
  );
}

interface KeyState {
  value: string;
  changed: boolean;
}

function AiForm({
  view,
  admin,
  saved,
  setSaved,
  onSaved,
}: {
  view: AiView;
  admin: boolean;
  saved: boolean;
  setSaved: (saved: boolean) => void;
  onSaved: () => void;
}) {
  const s = useStyles2(getStyles);
  const [enabled, setEnabled] = useState(view.enabled);
  const [provider, setProvider] = useState<AiProvider>(view.provider ?? 'openai');
  const [baseUrl, setBaseUrl] = useState(view.base_url ?? '');
  const [model, setModel] = useState(view.model ?? '');
  const [language, setLanguage] = useState(view.language);
  const [detail, setDetail] = useState<AiDetail>(view.detail);
  const [key, setKey] = useState<KeyState>({ value: '', changed: false });
  const [perChannel, setPerChannel] = useState<Record<string, boolean>>(
    Object.fromEntries(view.channels.map((c) => [c.name, c.enabled])),
  );
  const [models, setModels] = useState<string[]>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<'save' | 'test' | 'models'>();
  const [error, setError] = useState<ApiError>();
  const [result, setResult] = useState<AiTestResult>();

  // The stored key stays with the stored provider: another provider needs its own.
  const keyStored = view.api_key_set && provider === view.provider;
  const keyTyped = key.changed && key.value.trim() !== '';
  const needsKey = provider !== 'ollama' && !keyStored && !keyTyped;

  const check = (forTest: boolean) => {
    const e: Record<string, string> = {};
    if (baseUrl.trim() !== '') {
      const u = checkHttpUrl(baseUrl);
      if (u) {
        e.baseUrl = u;
      }
    }
    if ((enabled || forTest) && model.trim() === '') {
      e.model = forTest ? 'Choose a model to test' : 'A model is needed while the rewrite is enabled';
    }
    if (needsKey) {
      e.apiKey = `${PROVIDER_LABELS[provider]} needs an API key`;
    }
    setErrors(e);
    return Object.keys(e).length === 0;
  };

  const act = async (what: 'save' | 'test' | 'models', fn: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(undefined);
    }
  };

  const onSave = (ev: FormEvent) => {
    ev.preventDefault();
    setSaved(false);
    if (!check(false)) {
      return;
    }
    const channels = Object.fromEntries(
      view.channels
        .filter((c) => perChannel[c.name] !== c.enabled)
        .map((c) => [c.name, { enabled: perChannel[c.name] }]),
    );
    void act('save', async () => {
      await putAi({
        enabled,
        provider,
        model: model.trim() || null,
        base_url: baseUrl.trim() || null,
        ...(keyTyped ? { api_key: key.value.trim() } : {}),
        language,
        detail,
        ...(Object.keys(channels).length ? { channels } : {}),
      });
      setSaved(true);
      onSaved();
    });
  };

  const onModels = () => {
    void act('models', async () => {
      const r = await getAiModels({ provider, ...(baseUrl.trim() ? { base_url: baseUrl.trim() } : {}) });
      setModels(r.models);
    });
  };

  const onTest = () => {
    setResult(undefined);
    setSaved(false);
    if (!check(true)) {
      return;
    }
    void act('test', async () => {
      setResult(
        await testAi({
          provider,
          model: model.trim(),
          ...(baseUrl.trim() ? { base_url: baseUrl.trim() } : {}),
          ...(keyTyped ? { api_key: key.value.trim() } : {}),
          language,
          detail,
        }),
      );
    });
  };

  const modelOptions = [...new Set([...(models ?? []), ...(model ? [model] : [])])].map((m) => ({
    value: m,
    label: m,
  }));
  const languageOptions = Object.entries(view.languages).map(([code, name]) => ({
    value: code,
    label: name,
  }));

  return (
    <form onSubmit={onSave} noValidate data-testid={ids.form}>
      <FieldSet label="AI rewrite">
        <Text color="secondary" element="p">
          A model rewrites each notification into clearer text before it is sent; when it fails or changes a
          fact, the template text goes out instead.{' '}
          {view.configured
            ? `In force: settings from the ${view.source === 'api' ? 'API' : 'YAML configuration'}${view.updated_at ? `, saved ${when(view.updated_at)}` : ''}.`
            : 'Not configured yet.'}
        </Text>
        <SwitchField
          label="Enabled"
          description="Per channel below: which channels get rewritten text"
          value={enabled}
          disabled={!admin}
          onChange={setEnabled}
          testId={ids.enabled}
        />
        <Stack gap={2} wrap="wrap">
          <Field label="Provider">
            <Combobox<AiProvider>
              id="nt-ai-provider"
              width={30}
              disabled={!admin}
              options={(view.providers.length ? view.providers : [...AI_PROVIDERS]).map((p) => ({
                value: p,
                label: PROVIDER_LABELS[p] ?? p,
              }))}
              value={provider}
              onChange={(o) => {
                setProvider(o.value);
                setModels(undefined);
              }}
              data-testid={ids.provider}
            />
          </Field>
          <Field
            label="Base URL"
            description={`Default: ${AI_DEFAULT_BASE_URLS[provider]}`}
            invalid={Boolean(errors.baseUrl)}
            error={errors.baseUrl}
            htmlFor="nt-ai-base-url"
          >
            <Input
              id="nt-ai-base-url"
              width={50}
              disabled={!admin}
              placeholder={AI_DEFAULT_BASE_URLS[provider]}
              value={baseUrl}
              onChange={(e) => setBaseUrl(e.currentTarget.value)}
              data-testid={ids.baseUrl}
            />
          </Field>
        </Stack>
        <Field
          label="API key"
          description={
            keyStored && !key.changed
              ? 'Stored; Reset to replace it'
              : provider === 'ollama'
                ? 'Optional for Ollama (a proxy in front may want one)'
                : keyStored
                  ? 'Leave empty to keep the stored key'
                  : 'Sent only to this provider and base URL'
          }
          invalid={Boolean(errors.apiKey)}
          error={errors.apiKey}
          htmlFor="nt-ai-api-key"
        >
          <SecretInput
            id="nt-ai-api-key"
            width={50}
            disabled={!admin}
            isConfigured={keyStored && !key.changed}
            value={key.value}
            onReset={() => setKey({ value: '', changed: true })}
            onChange={(e) => setKey({ value: e.currentTarget.value, changed: true })}
            data-testid={ids.apiKey}
          />
        </Field>
        <Stack gap={2} wrap="wrap" alignItems="flex-start">
          <Field
            label="Model"
            description="Load the provider's list, or type a name"
            invalid={Boolean(errors.model)}
            error={errors.model}
          >
            <Combobox
              id="nt-ai-model"
              width={40}
              disabled={!admin}
              createCustomValue
              isClearable
              options={modelOptions}
              value={model || null}
              placeholder="Choose a model"
              onChange={(o) => setModel(o?.value ?? '')}
              data-testid={ids.model}
            />
          </Field>
          <Field label=" ">
            <Button
              type="button"
              variant="secondary"
              icon={busy === 'models' ? 'spinner' : 'list-ul'}
              disabled={busy !== undefined}
              tooltip="Ask the provider which models it offers (with the stored key; save a new key first)"
              onClick={onModels}
              data-testid={ids.loadModels}
            >
              Load models
            </Button>
          </Field>
        </Stack>
        {models ? (
          <div data-testid={ids.models}>
            <Text color="secondary">
              {models.length
                ? `${models.length} models: ${models.join(', ')}`
                : 'The provider lists no models.'}
            </Text>
          </div>
        ) : null}
        <Stack gap={2} wrap="wrap">
          <Field label="Language">
            <Combobox
              id="nt-ai-language"
              width={30}
              disabled={!admin}
              options={languageOptions}
              value={language}
              onChange={(o) => setLanguage(o.value)}
              data-testid={ids.language}
            />
          </Field>
          <Field label="Detail">
            <RadioButtonGroup
              options={DETAILS}
              value={detail}
              disabled={!admin}
              onChange={setDetail}
              data-testid={ids.detail}
            />
          </Field>
        </Stack>
        {view.channels.length ? (
          <Field label="Rewrite for these channels">
            <Stack gap={2} wrap="wrap">
              {view.channels.map((c) => (
                <Stack key={c.name} gap={1} alignItems="center">
                  <Switch
                    value={perChannel[c.name] ?? false}
                    disabled={!admin}
                    label={c.name}
                    onChange={(e) => {
                      const on = e.currentTarget.checked;
                      setPerChannel((p) => ({ ...p, [c.name]: on }));
                    }}
                    data-testid={ids.channel(c.name)}
                  />
                  <Text>{c.name}</Text>
                </Stack>
              ))}
            </Stack>
          </Field>
        ) : null}
        <ActionError error={error} testId={ids.error} />
        {admin ? (
          <Stack gap={1} alignItems="center">
            <Button
              type="submit"
              icon={busy === 'save' ? 'spinner' : 'save'}
              disabled={busy !== undefined}
              data-testid={ids.save}
            >
              Save
            </Button>
            <Button
              type="button"
              variant="secondary"
              icon={busy === 'test' ? 'spinner' : 'bolt'}
              disabled={busy !== undefined}
              tooltip="Rewrite a sample notification with these settings (nothing is saved or sent)"
              onClick={onTest}
              data-testid={ids.test}
            >
              Test
            </Button>
            {saved ? (
              <span data-testid={ids.saved}>
                <Badge color="green" icon="check" text="saved" />
              </span>
            ) : null}
          </Stack>
        ) : null}
        {result ? (
          <div data-testid={ids.testResult} className={s.result}>
            <Text color="secondary">
              {`${result.provider} / ${result.model}, ${result.language}, ${result.detail}: ${result.latency_ms} ms`}
            </Text>
            <div className={s.compare}>
              <div data-testid={ids.template}>
                <Text element="h5">Template text</Text>
                <pre className={s.pre}>{`${result.template.title}\n\n${result.template.body}`}</pre>
              </div>
              <div data-testid={ids.rewritten}>
                <Text element="h5">Rewritten</Text>
                <pre className={s.pre}>{`${result.rewritten.title}\n\n${result.rewritten.body}`}</pre>
              </div>
            </div>
          </div>
        ) : null}
      </FieldSet>
    </form>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  result: css({ marginTop: theme.spacing(2) }),
  compare: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))',
    gap: theme.spacing(2),
    marginTop: theme.spacing(1),
  }),
  pre: css({ whiteSpace: 'pre-wrap' }),
});
