import React, { type FormEvent, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, Field, FieldSet, Input, Stack, Text, useStyles2 } from '@grafana/ui';
import { ApiError, toApiError } from '../../api/client';
import { useApi } from '../../api/useApi';
import { AsyncView, PageEmpty } from '../../components/PageState';
import { SwitchField } from '../../components/SwitchField';
import { testIds } from '../../components/testIds';
import {
  getSettings,
  putSettings,
  replaceChannel,
  specForPut,
  type ChannelView,
  type NotifySettings,
} from './api';
import { ActionError } from './common';
import { checkHhmm, checkInt, checkTimeZone } from './validate';

const ids = testIds.notifications.schedule;

const Saved = ({ testId }: { testId: string }) => (
  <span data-testid={testId}>
    <Badge color="green" icon="check" text="saved" />
  </span>
);

/** An HH:MM time of day (quiet hours, digest), checked on save. */
const TimeField = ({
  label,
  value,
  error,
  disabled,
  onChange,
  testId,
}: {
  label: string;
  value: string;
  error?: string;
  disabled: boolean;
  onChange: (v: string) => void;
  testId: string;
}) => (
  <Field label={label} invalid={Boolean(error)} error={error}>
    <Input
      width={10}
      placeholder="HH:MM"
      value={value}
      disabled={disabled}
      onChange={(e) => onChange(e.currentTarget.value)}
      data-testid={testId}
    />
  </Field>
);

/** Global delivery settings (time zone for quiet hours and digests included), then each channel's quiet hours and digest. */
export function ScheduleTab({
  channels,
  admin,
  onSaved,
}: {
  channels: ChannelView[];
  admin: boolean;
  onSaved: () => void;
}) {
  const s = useStyles2(getStyles);
  const settings = useApi(getSettings);
  return (
    <Stack direction="column" gap={3}>
      <AsyncView state={settings} errorTitle="Could not load the notification settings">
        {(data) => <SettingsForm settings={data} admin={admin} onSaved={settings.reload} />}
      </AsyncView>
      <section>
        <Text element="h3">Quiet hours and daily digest</Text>
        <Text color="secondary" element="p">
          Per channel, in the time zone above. During quiet hours only CRITICAL goes out; the rest arrives as
          one summary afterwards. With a digest, INFO events (lifecycle and backups excepted) are collected
          and sent once a day.
        </Text>
        {channels.length === 0 ? (
          <PageEmpty message="Add a channel first: quiet hours and digests are set per channel." />
        ) : (
          <div className={s.rows}>
            {channels.map((c) => (
              <ChannelSchedule key={c.name} channel={c} admin={admin} onSaved={onSaved} />
            ))}
          </div>
        )}
      </section>
    </Stack>
  );
}

interface SettingsDraft {
  enabled: boolean;
  hostname: string;
  timezone: string;
  maxAttempts: string;
  retention: string;
  cooldown: string;
}

const draftOf = (x: NotifySettings): SettingsDraft => ({
  enabled: x.enabled,
  hostname: x.hostname ?? '',
  timezone: x.timezone ?? '',
  maxAttempts: String(x.max_attempts),
  retention: String(x.retention_days),
  cooldown: String(x.cooldown.default_seconds),
});

function SettingsForm({
  settings,
  admin,
  onSaved,
}: {
  settings: NotifySettings;
  admin: boolean;
  onSaved: () => void;
}) {
  const [d, setD] = useState(() => draftOf(settings));
  const [errors, setErrors] = useState<Partial<Record<keyof SettingsDraft, string>>>({});
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError>();
  const set = (k: keyof SettingsDraft, v: string | boolean) => {
    setSaved(false);
    setD((cur) => ({ ...cur, [k]: v }));
  };

  const validate = () => {
    const e: typeof errors = {};
    // The API can set these but not unset them (it merges what it is sent).
    if (d.hostname.trim() === '' && settings.hostname) {
      e.hostname = 'Once set it cannot be cleared here; enter a name';
    }
    if (d.hostname.trim().length > 100) {
      e.hostname = 'At most 100 characters';
    }
    e.timezone =
      d.timezone.trim() === '' && settings.timezone
        ? 'Once set it cannot be cleared here; enter a zone (e.g. UTC)'
        : checkTimeZone(d.timezone);
    e.maxAttempts = checkInt(d.maxAttempts, 1, 100);
    e.retention = checkInt(d.retention, 1, 3650);
    e.cooldown = checkInt(d.cooldown, 0, 7 * 86_400);
    return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as typeof errors;
  };

  const onSubmit = async (ev: FormEvent) => {
    ev.preventDefault();
    const found = validate();
    setErrors(found);
    setError(undefined);
    if (Object.keys(found).length > 0) {
      return;
    }
    setSaving(true);
    try {
      const next = await putSettings({
        enabled: d.enabled,
        ...(d.hostname.trim() ? { hostname: d.hostname.trim() } : {}),
        ...(d.timezone.trim() ? { timezone: d.timezone.trim() } : {}),
        max_attempts: Number(d.maxAttempts),
        retention_days: Number(d.retention),
        cooldown: { ...settings.cooldown, default_seconds: Number(d.cooldown) },
      });
      setD(draftOf(next));
      setSaved(true);
      onSaved();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setSaving(false);
    }
  };

  const num = (
    k: 'maxAttempts' | 'retention' | 'cooldown',
    label: string,
    description: string,
    testId: string,
  ) => (
    <Field
      label={label}
      description={description}
      invalid={Boolean(errors[k])}
      error={errors[k]}
      htmlFor={`nt-sc-${k}`}
    >
      <Input
        id={`nt-sc-${k}`}
        width={16}
        value={d[k]}
        disabled={!admin}
        onChange={(e) => set(k, e.currentTarget.value)}
        data-testid={testId}
      />
    </Field>
  );

  return (
    <form onSubmit={onSubmit} noValidate data-testid={ids.settingsForm}>
      <FieldSet label="Delivery">
        <SwitchField
          label="Notifications enabled"
          description="Off: events are still recorded, nothing is sent"
          value={d.enabled}
          disabled={!admin}
          onChange={(on) => set('enabled', on)}
          testId={ids.enabled}
        />
        <Stack gap={2} wrap="wrap">
          <Field
            label="Host name in messages"
            description="Default: the machine's host name"
            invalid={Boolean(errors.hostname)}
            error={errors.hostname}
            htmlFor="nt-sc-hostname"
          >
            <Input
              id="nt-sc-hostname"
              width={30}
              value={d.hostname}
              disabled={!admin}
              onChange={(e) => set('hostname', e.currentTarget.value)}
              data-testid={ids.hostname}
            />
          </Field>
          <Field
            label="Time zone"
            description="IANA name for quiet hours and digests; default: the exporter's"
            invalid={Boolean(errors.timezone)}
            error={errors.timezone}
            htmlFor="nt-sc-timezone"
          >
            <Input
              id="nt-sc-timezone"
              width={30}
              placeholder="Europe/Berlin"
              value={d.timezone}
              disabled={!admin}
              onChange={(e) => set('timezone', e.currentTarget.value)}
              data-testid={ids.timezone}
            />
          </Field>
        </Stack>
        <Stack gap={2} wrap="wrap">
          {num('maxAttempts', 'Attempts', 'Before a delivery becomes a dead letter (1-100)', ids.maxAttempts)}
          {num('retention', 'Keep history (days)', '1-3650', ids.retention)}
          {num(
            'cooldown',
            'Repeat cooldown (s)',
            'One message per event per this long (0-604800)',
            ids.cooldown,
          )}
        </Stack>
        <ActionError error={error} title="Not saved" />
        {admin ? (
          <Stack gap={1} alignItems="center">
            <Button type="submit" icon={saving ? 'spinner' : 'save'} disabled={saving} data-testid={ids.save}>
              Save settings
            </Button>
            {saved ? <Saved testId={ids.saved} /> : null}
          </Stack>
        ) : null}
      </FieldSet>
    </form>
  );
}

function ChannelSchedule({
  channel,
  admin,
  onSaved,
}: {
  channel: ChannelView;
  admin: boolean;
  onSaved: () => void;
}) {
  const [quiet, setQuiet] = useState(channel.quiet_hours !== undefined);
  const [start, setStart] = useState(channel.quiet_hours?.start ?? '22:00');
  const [end, setEnd] = useState(channel.quiet_hours?.end ?? '07:00');
  const [digest, setDigest] = useState(channel.digest !== undefined);
  const [time, setTime] = useState(channel.digest?.time ?? '08:00');
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError>();
  /** Wraps a setter so that an edit also clears the "saved" mark. */
  const touching =
    <T,>(setter: (v: T) => void) =>
    (v: T) => {
      setter(v);
      setSaved(false);
    };

  const save = async () => {
    const found = {
      start: quiet ? checkHhmm(start) : undefined,
      // The exporter treats an equal start and end as an empty window that never applies.
      end: quiet ? (checkHhmm(end) ?? (start === end ? 'Start and end must differ' : undefined)) : undefined,
      time: digest ? checkHhmm(time) : undefined,
    };
    setErrors(found);
    setError(undefined);
    if (Object.values(found).some(Boolean)) {
      return;
    }
    setSaving(true);
    try {
      await replaceChannel(
        channel.name,
        specForPut(channel, {
          quiet_hours: quiet ? { start, end } : undefined,
          digest: digest ? { time } : undefined,
        }),
      );
      setSaved(true);
      onSaved();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <Text weight="medium">{channel.name}</Text>
      <Stack gap={1} alignItems="flex-start">
        <SwitchField
          label="Quiet hours"
          value={quiet}
          disabled={!admin}
          onChange={touching(setQuiet)}
          testId={ids.quiet(channel.name)}
        />
        <TimeField
          label="From"
          value={start}
          error={errors.start}
          disabled={!admin || !quiet}
          onChange={touching(setStart)}
          testId={ids.quietStart(channel.name)}
        />
        <TimeField
          label="To"
          value={end}
          error={errors.end}
          disabled={!admin || !quiet}
          onChange={touching(setEnd)}
          testId={ids.quietEnd(channel.name)}
        />
      </Stack>
      <Stack gap={1} alignItems="flex-start">
        <SwitchField
          label="Daily digest"
          value={digest}
          disabled={!admin}
          onChange={touching(setDigest)}
          testId={ids.digest(channel.name)}
        />
        <TimeField
          label="At"
          value={time}
          error={errors.time}
          disabled={!admin || !digest}
          onChange={touching(setTime)}
          testId={ids.digestTime(channel.name)}
        />
      </Stack>
      <Stack direction="column" gap={1}>
        {admin ? (
          <Stack gap={1} alignItems="center">
            <Button
              size="sm"
              icon={saving ? 'spinner' : 'save'}
              disabled={saving}
              onClick={save}
              data-testid={ids.channelSave(channel.name)}
            >
              Save
            </Button>
            {saved ? <Saved testId={ids.channelSaved(channel.name)} /> : null}
          </Stack>
        ) : null}
        <ActionError error={error} title="Not saved" />
      </Stack>
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  rows: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(120px, auto) auto auto 1fr',
    alignItems: 'center',
    gap: theme.spacing(1, 3),
    marginTop: theme.spacing(1),
  }),
});
