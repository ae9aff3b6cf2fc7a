import React, { useCallback, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Badge,
  Button,
  ConfirmButton,
  Field,
  Input,
  InteractiveTable,
  RadioButtonGroup,
  Stack,
  Switch,
  Text,
  useStyles2,
} from '@grafana/ui';
import { type AsyncState, useApi } from '../../api/useApi';
import { AsyncView, PageEmpty } from '../../components/PageState';
import { SwitchField } from '../../components/SwitchField';
import { testIds } from '../../components/testIds';
import {
  deleteExclusion,
  getExclusions,
  getHealthInterfaces,
  getPveStorages,
  putExclusion,
  type Exclusion,
  type ExclusionKind,
  type HealthInterface,
  type PveStorageList,
} from './api';
import { validateReason, validateResourceName } from './validate';
import { type Access, useWrite, WriteStatus } from './write';

const ids = testIds.healthSettings;

const KINDS: Array<{ label: string; value: ExclusionKind; description: string }> = [
  { label: 'Interface', value: 'interface', description: 'A network interface of this host' },
  { label: 'Storage', value: 'storage', description: 'A PVE storage' },
];

const NEEDS_ONE = 'An exclusion must cover health checks, notifications or both';

interface Candidate {
  name: string;
  note?: string;
}

function candidatesFor(
  kind: ExclusionKind,
  interfaces: AsyncState<{ interfaces: HealthInterface[] }>,
  storages: AsyncState<PveStorageList>,
): { list: Candidate[]; unavailable?: string } {
  if (kind === 'interface') {
    if (interfaces.error) {
      return {
        list: [],
        unavailable: `the interface list could not be loaded (${interfaces.error.message})`,
      };
    }
    return {
      list: (interfaces.data?.interfaces ?? []).map((i) => ({
        name: i.name,
        note: i.up === false ? 'down' : undefined,
      })),
    };
  }
  if (storages.error) {
    return { list: [], unavailable: `the PVE storage list could not be loaded (${storages.error.message})` };
  }
  const data = storages.data;
  if (data && data.storages.length === 0 && !data.source.up) {
    return {
      list: [],
      unavailable: `PVE reports no storages${data.source.error ? ` (${data.source.error})` : ''}`,
    };
  }
  return {
    list: (data?.storages ?? []).map((st) => ({
      name: st.storage,
      note: st.enabled === false ? 'disabled' : st.active === false ? 'inactive' : undefined,
    })),
  };
}

interface Draft {
  kind: ExclusionKind;
  name: string;
  health: boolean;
  notifications: boolean;
  reason: string;
}

const EMPTY: Draft = { kind: 'interface', name: '', health: true, notifications: true, reason: '' };

function checkDraft(d: Draft, existing: Exclusion[]): Partial<Record<'name' | 'flags' | 'reason', string>> {
  const errors: Partial<Record<'name' | 'flags' | 'reason', string>> = {};
  const name = validateResourceName(d.name);
  if (name) {
    errors.name = name;
  } else if (existing.some((e) => e.kind === d.kind && e.name === d.name)) {
    errors.name = 'Already excluded: change it in the list below';
  }
  if (!d.health && !d.notifications) {
    errors.flags = NEEDS_ONE;
  }
  const reason = validateReason(d.reason);
  if (reason) {
    errors.reason = reason;
  }
  return errors;
}

function AddExclusion({
  existing,
  interfaces,
  storages,
  busy,
  onAdd,
  onInvalid,
}: {
  existing: Exclusion[];
  interfaces: AsyncState<{ interfaces: HealthInterface[] }>;
  storages: AsyncState<PveStorageList>;
  busy: boolean;
  onAdd: (d: Draft) => Promise<boolean>;
  onInvalid: (message: string) => void;
}) {
  const s = useStyles2(getStyles);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  // Errors show once the user tried to add, then follow every edit.
  const [tried, setTried] = useState(false);
  const errors = tried ? checkDraft(draft, existing) : {};
  const set = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));

  const excluded = new Set(existing.filter((e) => e.kind === draft.kind).map((e) => e.name));
  const { list, unavailable } = candidatesFor(draft.kind, interfaces, storages);
  const picks = list.filter((c) => !excluded.has(c.name));
  const loadingPicks = draft.kind === 'interface' ? interfaces.loading : storages.loading;

  const add = async () => {
    setTried(true);
    const problems = checkDraft(draft, existing);
    if (Object.keys(problems).length) {
      onInvalid(`Fix the highlighted fields; nothing was sent.`);
      return;
    }
    if (await onAdd(draft)) {
      setDraft({ ...EMPTY, kind: draft.kind });
      setTried(false);
    }
  };

  return (
    <section className={s.form} aria-label="Add an exclusion">
      <Text element="h4">Add an exclusion</Text>
      <Field label="Kind" noMargin>
        <RadioButtonGroup
          options={KINDS}
          value={draft.kind}
          data-testid={ids.exclusionKind}
          onChange={(kind) => set({ kind, name: '' })}
        />
      </Field>
      <Field
        label="Name"
        description={
          draft.kind === 'interface' ? 'e.g. eth0, vmbr1, bond0' : 'the storage ID, e.g. local-lvm'
        }
        invalid={errors.name !== undefined}
        error={errors.name}
        noMargin
      >
        <Input
          width={40}
          value={draft.name}
          placeholder={draft.kind === 'interface' ? 'Interface name' : 'Storage ID'}
          data-testid={ids.exclusionName}
          onChange={(e) => set({ name: e.currentTarget.value.trim() })}
        />
      </Field>
      <Stack gap={1} alignItems="center" wrap="wrap">
        <Text color="secondary" variant="bodySmall">
          {loadingPicks
            ? 'Loading suggestions…'
            : unavailable
              ? `No suggestions: ${unavailable}; type the name.`
              : picks.length
                ? 'Pick:'
                : list.length
                  ? 'Every known one is already excluded.'
                  : 'None found; type the name.'}
        </Text>
        {picks.map((c) => (
          <Button
            key={c.name}
            size="sm"
            variant={draft.name === c.name ? 'primary' : 'secondary'}
            fill="outline"
            data-testid={ids.exclusionPick(c.name)}
            onClick={() => set({ name: c.name })}
          >
            {c.name}
            {c.note ? ` (${c.note})` : ''}
          </Button>
        ))}
      </Stack>
      <Stack gap={4} wrap="wrap">
        {/* One of the two must be on: both turn red, the message shows once. */}
        <SwitchField
          label="Exclude from health checks"
          description="Its checks stop; its active errors resolve"
          invalid={errors.flags !== undefined}
          noMargin
          value={draft.health}
          testId={ids.exclusionHealth}
          onChange={(health) => set({ health })}
        />
        <SwitchField
          label="Exclude from notifications"
          description="Its events are not notified"
          invalid={errors.flags !== undefined}
          error={errors.flags}
          noMargin
          value={draft.notifications}
          testId={ids.exclusionNotifications}
          onChange={(notifications) => set({ notifications })}
        />
      </Stack>
      <Field
        label="Reason"
        description="Optional, shown in the list"
        invalid={errors.reason !== undefined}
        error={errors.reason}
        noMargin
      >
        <Input
          width={60}
          value={draft.reason}
          data-testid={ids.exclusionReason}
          onChange={(e) => set({ reason: e.currentTarget.value })}
        />
      </Field>
      <Stack>
        <Button icon="plus" disabled={busy} data-testid={ids.exclusionAdd} onClick={add}>
          Add exclusion
        </Button>
      </Stack>
    </section>
  );
}

type Cell = { row: { original: Exclusion } };

function ExclusionList({
  exclusions,
  readOnly,
  busy,
  onFlags,
  onRemove,
}: {
  exclusions: Exclusion[];
  readOnly: boolean;
  busy: boolean;
  onFlags: (e: Exclusion, health: boolean, notifications: boolean) => void;
  onRemove: (e: Exclusion) => void;
}) {
  const columns = useMemo(
    () => [
      {
        id: 'kind',
        header: 'Kind',
        cell: ({ row: { original: e } }: Cell) => (
          <Badge color={e.kind === 'storage' ? 'purple' : 'blue'} text={e.kind} />
        ),
      },
      {
        id: 'name',
        header: 'Name',
        cell: ({ row: { original: e } }: Cell) => (
          <span data-testid={ids.exclusionRow(e.kind, e.name)}>{e.name}</span>
        ),
      },
      {
        id: 'exclude_health',
        header: 'Out of health checks',
        cell: ({ row: { original: e } }: Cell) => (
          <Switch
            value={e.exclude_health}
            disabled={readOnly || busy}
            aria-label={`${e.name}: out of health checks`}
            data-testid={ids.exclusionRowHealth(e.kind, e.name)}
            onChange={(ev) => onFlags(e, ev.currentTarget.checked, e.exclude_notifications)}
          />
        ),
      },
      {
        id: 'exclude_notifications',
        header: 'Out of notifications',
        cell: ({ row: { original: e } }: Cell) => (
          <Switch
            value={e.exclude_notifications}
            disabled={readOnly || busy}
            aria-label={`${e.name}: out of notifications`}
            data-testid={ids.exclusionRowNotifications(e.kind, e.name)}
            onChange={(ev) => onFlags(e, e.exclude_health, ev.currentTarget.checked)}
          />
        ),
      },
      {
        id: 'reason',
        header: 'Reason',
        cell: ({ row: { original: e } }: Cell) => e.reason ?? '—',
      },
      {
        id: 'created_at',
        header: 'Since',
        cell: ({ row: { original: e } }: Cell) =>
          e.created_at ? new Date(e.created_at).toLocaleString() : '—',
      },
      {
        id: 'actions',
        header: '',
        cell: ({ row: { original: e } }: Cell) =>
          readOnly ? null : (
            <ConfirmButton
              confirmText="Yes, remove"
              confirmVariant="destructive"
              disabled={busy}
              onConfirm={() => onRemove(e)}
            >
              <Button
                size="sm"
                variant="secondary"
                icon="trash-alt"
                data-testid={ids.exclusionRemove(e.kind, e.name)}
              >
                Remove
              </Button>
            </ConfirmButton>
          ),
      },
    ],
    [readOnly, busy, onFlags, onRemove],
  );
  return (
    <InteractiveTable
      columns={columns}
      data={exclusions}
      getRowId={(e: Exclusion) => `${e.kind}/${e.name}`}
    />
  );
}

function ExclusionsView({
  exclusions,
  access,
  loading,
  reload,
}: {
  exclusions: Exclusion[];
  access: Access;
  /** The list is being loaded again: a switch would act on its old flags, so wait. */
  loading: boolean;
  reload: () => void;
}) {
  const write = useWrite(access.onForbidden);
  const busy = write.busy || loading;
  const interfaces = useApi(getHealthInterfaces);
  const storages = useApi(getPveStorages);
  const { run, refuse } = write;
  const reloadInterfaces = interfaces.reload;
  // After a write: the list, and the interfaces' excluded flags.
  const refresh = useCallback(
    (written: unknown) => {
      if (written !== undefined) {
        reload();
        reloadInterfaces();
      }
    },
    [reload, reloadInterfaces],
  );

  const add = async (d: Draft) => {
    const written = await run(
      () =>
        putExclusion(d.kind, d.name, {
          exclude_health: d.health,
          exclude_notifications: d.notifications,
          ...(d.reason.trim() ? { reason: d.reason.trim() } : {}),
        }),
      `${d.kind === 'storage' ? 'Storage' : 'Interface'} ${d.name} excluded`,
    );
    refresh(written);
    return written !== undefined;
  };
  // The list's callbacks keep their identity so its memoised columns do too.
  const onFlags = useCallback(
    (e: Exclusion, health: boolean, notifications: boolean) => {
      if (!health && !notifications) {
        refuse(`${e.name}: ${NEEDS_ONE.toLowerCase()}; to include it again, remove the exclusion.`);
        return;
      }
      void run(
        () =>
          putExclusion(e.kind, e.name, {
            exclude_health: health,
            exclude_notifications: notifications,
            ...(e.reason ? { reason: e.reason } : {}),
          }),
        `${e.name} updated`,
      ).then(refresh);
    },
    [run, refuse, refresh],
  );
  const onRemove = useCallback(
    (e: Exclusion) => {
      void run(() => deleteExclusion(e.kind, e.name), `${e.name} is no longer excluded`).then(refresh);
    },
    [run, refresh],
  );

  return (
    <Stack direction="column" gap={2}>
      <Text color="secondary">
        Storages and interfaces kept out of health checks and/or notifications, e.g. a USB disk that comes and
        goes or an unused NIC.
      </Text>
      <WriteStatus result={write.result} testId={ids.status('exclusions')} onClose={write.clear} />
      <div data-testid={ids.exclusionList}>
        {exclusions.length === 0 ? (
          <PageEmpty message="No storage or interface is excluded." />
        ) : (
          <ExclusionList
            exclusions={exclusions}
            readOnly={access.readOnly}
            busy={busy}
            onFlags={onFlags}
            onRemove={onRemove}
          />
        )}
      </div>
      {access.readOnly ? null : (
        <AddExclusion
          existing={exclusions}
          interfaces={interfaces}
          storages={storages}
          busy={busy}
          onAdd={add}
          onInvalid={refuse}
        />
      )}
    </Stack>
  );
}

export function ExclusionsSection({ access }: { access: Access }) {
  const state = useApi(getExclusions);
  return (
    <AsyncView state={state} errorTitle="Could not load the exclusions">
      {(data) => (
        <ExclusionsView
          exclusions={data.exclusions}
          access={access}
          loading={state.loading}
          reload={state.reload}
        />
      )}
    </AsyncView>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(2),
  }),
});
