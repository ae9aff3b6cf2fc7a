import React, { type FormEvent, useState } from 'react';
import {
  Alert,
  Button,
  Combobox,
  Field,
  FieldSet,
  Input,
  RadioButtonGroup,
  SecretInput,
  Stack,
  TextArea,
} from '@grafana/ui';
import { ApiError, toApiError } from '../../api/client';
import { SwitchField } from '../../components/SwitchField';
import { testIds } from '../../components/testIds';
import {
  CHANNEL_TYPES,
  createChannel,
  replaceChannel,
  type ChannelType,
  type ChannelView,
  type MinSeverity,
} from './api';
import {
  CHANNEL_FIELDS,
  CHANNEL_LABELS,
  configFromForm,
  fieldOfError,
  formFor,
  validateConfig,
  type ConfigForm,
  type FieldDef,
} from './channelTypes';
import { checkChannelName } from './validate';

const ids = testIds.notifications.channelForm;

const TYPE_OPTIONS = CHANNEL_TYPES.map((t) => ({ value: t, label: CHANNEL_LABELS[t] }));
const SEVERITY_OPTIONS: Array<{ value: MinSeverity; label: string }> = [
  { value: 'INFO', label: 'Info and up' },
  { value: 'WARNING', label: 'Warning and up' },
  { value: 'CRITICAL', label: 'Critical only' },
];

interface Props {
  /** The channel being edited; absent when adding one. */
  existing?: ChannelView;
  onSaved: (saved: ChannelView) => void;
  onCancel: () => void;
}

/**
 * Add or edit a channel: name and type (fixed once created), on/off, minimum severity and the type's
 * own fields. Secrets show as "configured" with a Reset; only a newly typed secret is sent.
 */
export function ChannelForm({ existing, onSaved, onCancel }: Props) {
  const [name, setName] = useState(existing?.name ?? '');
  const [type, setType] = useState<ChannelType>(existing?.type ?? 'webhook');
  const [enabled, setEnabled] = useState(existing?.enabled ?? true);
  const [minSeverity, setMinSeverity] = useState<MinSeverity>(existing?.min_severity ?? 'INFO');
  const [form, setForm] = useState<ConfigForm>(() => formFor(existing?.type ?? 'webhook', existing));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<ApiError>();
  const [saving, setSaving] = useState(false);

  const setValue = (key: string, v: string | boolean) =>
    setForm((f) => ({ ...f, values: { ...f.values, [key]: v } }));
  const setSecret = (key: string, next: Partial<ConfigForm['secrets'][string]>) =>
    setForm((f) => ({ ...f, secrets: { ...f.secrets, [key]: { ...f.secrets[key]!, ...next } } }));

  const onType = (t: ChannelType) => {
    setType(t);
    setForm(formFor(t));
    setErrors({});
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!existing) {
      const nameError = checkChannelName(name);
      if (nameError) {
        found.name = nameError;
      }
    }
    for (const [k, v] of Object.entries(validateConfig(type, form))) {
      found[`config.${k}`] = v;
    }
    setErrors(found);
    setServerError(undefined);
    if (Object.keys(found).length > 0) {
      return;
    }
    const policy = existing
      ? {
          groups: existing.groups,
          events: existing.events,
          ai: existing.ai,
          ...(existing.quiet_hours ? { quiet_hours: existing.quiet_hours } : {}),
          ...(existing.digest ? { digest: existing.digest } : {}),
        }
      : { groups: {}, events: {}, ai: { enabled: false, detail: 'standard' as const, language: 'en' } };
    const spec = {
      type,
      enabled,
      min_severity: minSeverity,
      ...policy,
      config: configFromForm(type, form, existing),
    };
    setSaving(true);
    try {
      const saved = existing
        ? await replaceChannel(existing.name, spec)
        : await createChannel({ name, ...spec });
      onSaved(saved);
    } catch (err) {
      const apiError = toApiError(err);
      // The exporter names the field (`config.url: must be …`): show it there when the form has it.
      const at =
        apiError.kind === 'validation' || apiError.kind === 'conflict'
          ? fieldOfError(apiError.message)
          : undefined;
      const known =
        at && (at.field === 'name' || CHANNEL_FIELDS[type].some((f) => `config.${f.key}` === at.field));
      if (at && known) {
        setErrors({ [at.field]: at.message });
      } else if (apiError.kind === 'conflict') {
        setErrors({ name: apiError.message });
      } else {
        setServerError(apiError);
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <form onSubmit={onSubmit} data-testid={ids.form} noValidate>
      <FieldSet label={existing ? `Edit channel ${existing.name}` : 'Add a channel'}>
        <Stack direction="row" gap={2} wrap="wrap">
          <Field
            label="Name"
            description={existing ? 'The name cannot change' : 'Lowercase letters, digits, - and _'}
            invalid={Boolean(errors.name)}
            error={errors.name}
          >
            <Input
              id="nt-cf-name"
              value={name}
              disabled={Boolean(existing)}
              width={30}
              onChange={(e) => setName(e.currentTarget.value)}
              data-testid={ids.name}
            />
          </Field>
          <Field label="Type" description={existing ? 'The type cannot change' : undefined}>
            <Combobox
              id="nt-cf-type"
              options={TYPE_OPTIONS}
              value={type}
              disabled={Boolean(existing)}
              width={30}
              onChange={(o) => onType(o.value)}
              data-testid={ids.type}
            />
          </Field>
        </Stack>
        <Stack direction="row" gap={2} wrap="wrap">
          <SwitchField label="Enabled" value={enabled} onChange={setEnabled} testId={ids.enabled} />
          <Field label="Send">
            <RadioButtonGroup
              options={SEVERITY_OPTIONS}
              value={minSeverity}
              onChange={setMinSeverity}
              data-testid={ids.minSeverity}
            />
          </Field>
        </Stack>
        {CHANNEL_FIELDS[type].map((f) => (
          <ConfigField
            key={`${type}.${f.key}`}
            def={f}
            form={form}
            error={errors[`config.${f.key}`]}
            onValue={(v) => setValue(f.key, v)}
            onSecret={(next) => setSecret(f.key, next)}
          />
        ))}
        {serverError ? (
          <div data-testid={ids.error}>
            <Alert severity={serverError.kind === 'forbidden' ? 'warning' : 'error'} title="Not saved">
              {serverError.message}
            </Alert>
          </div>
        ) : null}
        <Stack gap={1}>
          <Button type="submit" icon={saving ? 'spinner' : 'save'} disabled={saving} data-testid={ids.save}>
            {existing ? 'Save channel' : 'Add channel'}
          </Button>
          <Button type="button" variant="secondary" onClick={onCancel} data-testid={ids.cancel}>
            Cancel
          </Button>
        </Stack>
      </FieldSet>
    </form>
  );
}

function ConfigField({
  def: f,
  form,
  error,
  onValue,
  onSecret,
}: {
  def: FieldDef;
  form: ConfigForm;
  error?: string;
  onValue: (v: string | boolean) => void;
  onSecret: (next: Partial<ConfigForm['secrets'][string]>) => void;
}) {
  const id = `nt-cf-${f.key}`;
  const testId = ids.field(f.key);
  const label = f.required ? `${f.label} *` : f.label;
  if (f.kind === 'secret') {
    const s = form.secrets[f.key]!;
    const description = !s.configured
      ? f.description
      : s.changed
        ? 'Leave empty to keep the stored value'
        : 'Stored; Reset to replace it';
    return (
      <Field label={label} description={description} invalid={Boolean(error)} error={error} htmlFor={id}>
        <SecretInput
          id={id}
          width={60}
          isConfigured={s.configured && !s.changed}
          value={s.value}
          onReset={() => onSecret({ value: '', changed: true })}
          onChange={(e) => onSecret({ value: e.currentTarget.value, changed: true })}
          data-testid={testId}
        />
      </Field>
    );
  }
  const value = form.values[f.key];
  if (f.kind === 'bool') {
    return (
      <SwitchField
        label={f.label}
        description={f.description}
        value={value === true}
        onChange={onValue}
        testId={testId}
      />
    );
  }
  if (f.kind === 'select') {
    const options = [
      ...(f.initial === undefined ? [{ value: '', label: 'default' }] : []),
      ...(f.options ?? []).map((o) => ({ value: o, label: o })),
    ];
    return (
      <Field label={label} description={f.description}>
        <RadioButtonGroup
          options={options}
          value={String(value ?? '')}
          onChange={onValue}
          data-testid={testId}
        />
      </Field>
    );
  }
  const text = String(value ?? '');
  if (f.kind === 'textarea' || f.kind === 'list' || f.kind === 'headers') {
    return (
      <Field label={label} description={f.description} invalid={Boolean(error)} error={error} htmlFor={id}>
        <TextArea
          id={id}
          rows={f.kind === 'textarea' ? 6 : 3}
          cols={60}
          value={text}
          onChange={(e) => onValue(e.currentTarget.value)}
          data-testid={testId}
        />
      </Field>
    );
  }
  return (
    <Field label={label} description={f.description} invalid={Boolean(error)} error={error} htmlFor={id}>
      <Input
        id={id}
        width={f.kind === 'number' ? 20 : 60}
        type={f.kind === 'number' ? 'number' : 'text'}
        placeholder={f.placeholder}
        value={text}
        onChange={(e) => onValue(e.currentTarget.value)}
        data-testid={testId}
      />
    </Field>
  );
}
