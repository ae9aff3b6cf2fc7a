import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Alert,
  Badge,
  Button,
  Combobox,
  Field,
  FieldSet,
  Stack,
  Switch,
  Text,
  useStyles2,
} from '@grafana/ui';
import { ApiError, toApiError } from '../../api/client';
import { useApi } from '../../api/useApi';
import { AsyncView, PageEmpty } from '../../components/PageState';
import { testIds } from '../../components/testIds';
import { getCatalogue, replaceChannel, specForPut, type Catalogue, type ChannelView } from './api';
import { ActionError, groupLabel } from './common';

const ids = testIds.notifications.events;

interface Draft {
  groups: Record<string, boolean>;
  events: Record<string, boolean>;
}

/** The channel's effective on/off per group and event: its overrides over the catalogue defaults. */
function draftOf(c: ChannelView, cat: Catalogue): Draft {
  return {
    groups: Object.fromEntries(cat.groups.map((g) => [g, c.groups[g] !== false])),
    events: Object.fromEntries(cat.events.map((e) => [e.type, c.events[e.type] ?? e.default_enabled])),
  };
}

/** Back to the policy's shape: only what differs from the defaults (groups on, catalogue default per event). */
function policyOf(c: ChannelView, cat: Catalogue, d: Draft) {
  const groups: Record<string, boolean> = {};
  for (const g of cat.groups) {
    if (!d.groups[g]) {
      groups[g] = false;
    }
  }
  // Overrides for types the catalogue does not list (hidden ones) stay as they were.
  const events: Record<string, boolean> = { ...c.events };
  for (const e of cat.events) {
    if (d.events[e.type] === e.default_enabled) {
      delete events[e.type];
    } else {
      events[e.type] = d.events[e.type] ?? e.default_enabled;
    }
  }
  return { groups, events };
}

/** Per channel: which event groups and types it sends, from the exporter's catalogue. */
export function EventsTab({
  channels,
  admin,
  onSaved,
}: {
  channels: ChannelView[];
  admin: boolean;
  onSaved: () => void;
}) {
  const catalogue = useApi(getCatalogue);
  const [selected, setSelected] = useState(channels[0]?.name);
  // The channel whose choice was just saved (the toggles start afresh from each saved version).
  const [savedFor, setSavedFor] = useState<string>();
  const channel = channels.find((c) => c.name === selected) ?? channels[0];

  if (!channel) {
    return <PageEmpty message="Add a channel first: event choices are made per channel." />;
  }
  return (
    <Stack direction="column" gap={2}>
      <Field label="Channel" description="Each channel has its own choice of events">
        <Combobox
          id="nt-ev-channel"
          width={40}
          options={channels.map((c) => ({ value: c.name, label: c.name, description: c.type }))}
          value={channel.name}
          onChange={(o) => setSelected(o.value)}
          data-testid={ids.channel}
        />
      </Field>
      <AsyncView state={catalogue} errorTitle="Could not load the event catalogue">
        {(cat) => (
          <EventToggles
            key={`${channel.name}@${channel.updated_at}`}
            channel={channel}
            cat={cat}
            admin={admin}
            saved={savedFor === channel.name}
            onSaved={() => {
              setSavedFor(channel.name);
              onSaved();
            }}
            onEdit={() => setSavedFor(undefined)}
          />
        )}
      </AsyncView>
    </Stack>
  );
}

function EventToggles({
  channel,
  cat,
  admin,
  saved,
  onSaved,
  onEdit,
}: {
  channel: ChannelView;
  cat: Catalogue;
  admin: boolean;
  saved: boolean;
  onSaved: () => void;
  onEdit: () => void;
}) {
  const s = useStyles2(getStyles);
  const initial = useMemo(() => draftOf(channel, cat), [channel, cat]);
  const [draft, setDraftState] = useState(initial);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError>();
  const setDraft = (fn: (d: Draft) => Draft) => {
    onEdit();
    setDraftState(fn);
  };

  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  const byGroup = cat.groups
    .map((g) => ({ group: g, events: cat.events.filter((e) => e.group === g) }))
    .filter((x) => x.events.length > 0);

  const save = async () => {
    setSaving(true);
    setError(undefined);
    try {
      await replaceChannel(channel.name, specForPut(channel, policyOf(channel, cat, draft)));
      onSaved();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Stack direction="column" gap={1}>
      {!channel.enabled ? (
        <Alert severity="info" title="This channel is disabled">
          It sends nothing until it is enabled again, whatever is chosen here.
        </Alert>
      ) : null}
      {byGroup.map(({ group, events }) => {
        const on = draft.groups[group] !== false;
        return (
          <FieldSet key={group} className={s.group}>
            <Stack alignItems="center" gap={1}>
              <Switch
                value={on}
                disabled={!admin}
                label={`All ${groupLabel(group)} events`}
                onChange={(e) => {
                  const checked = e.currentTarget.checked;
                  setDraft((d) => ({ ...d, groups: { ...d.groups, [group]: checked } }));
                }}
                data-testid={ids.group(group)}
              />
              <Text element="h4" weight="medium">
                {groupLabel(group)}
              </Text>
              {!on ? <Badge color="darkgrey" text="muted on this channel" /> : null}
            </Stack>
            <div className={s.events}>
              {events.map((e) => (
                <Stack key={e.type} alignItems="center" gap={1}>
                  <Switch
                    value={draft.events[e.type] ?? e.default_enabled}
                    disabled={!admin || !on}
                    label={e.label}
                    onChange={(ev) => {
                      const checked = ev.currentTarget.checked;
                      setDraft((d) => ({ ...d, events: { ...d.events, [e.type]: checked } }));
                    }}
                    data-testid={ids.event(e.type)}
                  />
                  <Text>{e.label}</Text>
                  <Text color="secondary" variant="bodySmall">
                    {e.type}
                    {e.not_applicable ? ` — not raised here: ${e.not_applicable}` : ''}
                  </Text>
                </Stack>
              ))}
            </div>
          </FieldSet>
        );
      })}
      <ActionError error={error} title="Not saved" />
      {admin ? (
        <Stack gap={1} alignItems="center">
          <Button
            icon={saving ? 'spinner' : 'save'}
            disabled={saving || !dirty}
            onClick={save}
            data-testid={ids.save}
          >
            Save events
          </Button>
          <Button variant="secondary" disabled={saving || !dirty} onClick={() => setDraft(() => initial)}>
            Undo changes
          </Button>
          {saved && !dirty ? (
            <span data-testid={ids.saved}>
              <Badge color="green" icon="check" text="saved" />
            </span>
          ) : null}
        </Stack>
      ) : null}
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  group: css({
    padding: theme.spacing(1, 2),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    marginBottom: 0,
  }),
  events: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(380px, 1fr))',
    gap: theme.spacing(0.5, 2),
    paddingLeft: theme.spacing(4),
    paddingTop: theme.spacing(1),
  }),
});
