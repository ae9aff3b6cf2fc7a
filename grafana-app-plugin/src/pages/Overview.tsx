import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import {
  Alert,
  Badge,
  type BadgeColor,
  Button,
  Card,
  Dropdown,
  InteractiveTable,
  Menu,
  Stack,
  Text,
  useStyles2,
} from '@grafana/ui';
import { ApiError, toApiError } from '../api/client';
import {
  DISMISS_DURATIONS,
  dismissError,
  getHealthFull,
  runHealthCycle,
  undismissError,
  type CategoryDetails,
  type DismissDuration,
  type HealthError,
  type HealthFull,
  type HealthStatus,
} from '../api/health';
import { useApi } from '../api/useApi';
import { AsyncView, PageEmpty } from '../components/PageState';
import { testIds } from '../components/testIds';
import { isGrafanaAdmin } from '../utils/roles';

const STATUS_COLOR: Record<HealthStatus, BadgeColor> = {
  OK: 'green',
  INFO: 'blue',
  WARNING: 'orange',
  CRITICAL: 'red',
  UNKNOWN: 'darkgrey',
};

export const StatusBadge = ({ status }: { status: HealthStatus | null }) => (
  <Badge color={status ? STATUS_COLOR[status] : 'darkgrey'} text={status ?? 'no cycle yet'} />
);

const title = (category: string) => category.charAt(0).toUpperCase() + category.slice(1);
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

function CategoryCard({ c }: { c: CategoryDetails }) {
  const s = useStyles2(getStyles);
  const problems = c.checks.filter((r) => r.status !== 'OK');
  return (
    <div data-testid={testIds.overview.category(c.category)}>
      <Card className={s.card}>
        {/* The badge sits in the heading: Card.Figure is a fixed-width column that longer statuses overflow. */}
        <Card.Heading>
          <Stack alignItems="center" gap={1}>
            <StatusBadge status={c.skipped ? 'UNKNOWN' : c.status} />
            {title(c.category)}
          </Stack>
        </Card.Heading>
        <Card.Description>
          {c.skipped ? `Skipped: ${c.reason ?? 'not applicable'}` : null}
          {!c.skipped && problems.length === 0 ? (c.reason ?? `${c.checks.length} checks OK`) : null}
          {problems.map((r) => (
            <div key={`${r.check}:${r.resource ?? ''}`}>
              {r.status}: {r.reason}
              {r.dismissed ? ' (dismissed)' : ''}
            </div>
          ))}
        </Card.Description>
        {c.all_dismissed ? (
          <Card.Meta>
            <span>all its errors are dismissed</span>
          </Card.Meta>
        ) : null}
      </Card>
    </div>
  );
}

function DismissMenu({
  error,
  busy,
  onDismiss,
}: {
  error: HealthError;
  busy: boolean;
  onDismiss: (d: DismissDuration) => void;
}) {
  const menu = (
    <Menu>
      {DISMISS_DURATIONS.map((d) => (
        <Menu.Item
          key={d.value}
          label={d.label}
          testId={testIds.overview.dismissDuration(d.value)}
          onClick={() => onDismiss(d.value)}
        />
      ))}
    </Menu>
  );
  return (
    <Dropdown overlay={menu} placement="bottom-end">
      <Button
        size="sm"
        variant="secondary"
        icon="bell-slash"
        disabled={busy}
        data-testid={testIds.overview.dismiss(error.error_key)}
      >
        Dismiss
      </Button>
    </Dropdown>
  );
}

const errorColumns = (
  admin: boolean,
  busyKey: string | undefined,
  act: (key: string, fn: () => Promise<unknown>) => void,
  dismissed: boolean,
) => [
  {
    id: 'severity',
    header: 'Severity',
    cell: ({ row: { original: e } }: { row: { original: HealthError } }) => (
      <StatusBadge status={e.severity} />
    ),
  },
  {
    id: 'category',
    header: 'Category',
    cell: ({ row: { original: e } }: { row: { original: HealthError } }) => title(e.category),
  },
  {
    id: 'reason',
    header: 'Problem',
    cell: ({ row: { original: e } }: { row: { original: HealthError } }) => (
      <span data-testid={testIds.overview.errorRow(e.error_key)}>{e.reason}</span>
    ),
  },
  dismissed
    ? {
        id: 'dismiss_expires_at',
        header: 'Dismissed until',
        cell: ({ row: { original: e } }: { row: { original: HealthError } }) =>
          e.permanent ? 'permanently' : when(e.dismiss_expires_at),
      }
    : {
        id: 'first_seen',
        header: 'Since',
        cell: ({ row: { original: e } }: { row: { original: HealthError } }) => when(e.first_seen),
      },
  dismissed
    ? {
        id: 'dismissed_by',
        header: 'By',
        cell: ({ row: { original: e } }: { row: { original: HealthError } }) => e.dismissed_by ?? '—',
      }
    : {
        id: 'occurrences',
        header: 'Seen',
        cell: ({ row: { original: e } }: { row: { original: HealthError } }) => `${e.occurrences}×`,
      },
  {
    id: 'actions',
    header: '',
    cell: ({ row: { original: e } }: { row: { original: HealthError } }) =>
      !admin ? null : dismissed ? (
        <Button
          size="sm"
          variant="secondary"
          icon="bell"
          disabled={busyKey === e.error_key}
          data-testid={testIds.overview.undismiss(e.error_key)}
          onClick={() => act(e.error_key, () => undismissError(e.error_key))}
        >
          Un-dismiss
        </Button>
      ) : (
        <DismissMenu
          error={e}
          busy={busyKey === e.error_key}
          onDismiss={(d) => act(e.error_key, () => dismissError(e.error_key, d))}
        />
      ),
  },
];

function HealthView({ data, reload }: { data: HealthFull; reload: () => void }) {
  const s = useStyles2(getStyles);
  const admin = isGrafanaAdmin();
  const [busyKey, setBusyKey] = useState<string>();
  const [actionError, setActionError] = useState<ApiError>();

  const act = (key: string, fn: () => Promise<unknown>) => {
    setBusyKey(key);
    setActionError(undefined);
    fn()
      .then(reload, (e: unknown) => setActionError(toApiError(e)))
      .finally(() => setBusyKey(undefined));
  };
  // Dismissed errors are listed on their own, where they can be brought back.
  const dismissedKeys = new Set(data.dismissed.map((e) => e.error_key));
  const active = data.active_errors.filter((e) => !dismissedKeys.has(e.error_key));

  return (
    <Stack direction="column" gap={3}>
      <Stack alignItems="center" gap={2}>
        <span data-testid={testIds.overview.overall}>
          <StatusBadge status={data.overall} />
        </span>
        <Text color="secondary">
          {data.at
            ? `Last checked ${when(data.at)} (${data.duration_ms ?? '?'} ms)`
            : 'The first health cycle has not run yet.'}
        </Text>
        <Button
          size="sm"
          variant="secondary"
          icon="sync"
          onClick={reload}
          data-testid={testIds.overview.refresh}
        >
          Refresh
        </Button>
        {admin ? (
          <Button
            size="sm"
            variant="secondary"
            icon="play"
            disabled={busyKey === '*run'}
            onClick={() => act('*run', runHealthCycle)}
          >
            Run checks now
          </Button>
        ) : null}
      </Stack>

      {actionError ? (
        <div data-testid={testIds.overview.actionError}>
          <Alert severity={actionError.kind === 'forbidden' ? 'warning' : 'error'} title="That did not work">
            {actionError.message}
          </Alert>
        </div>
      ) : null}

      {data.categories.length === 0 ? (
        <PageEmpty message="No health results yet: the first cycle runs shortly after the exporter starts." />
      ) : (
        <div className={s.grid}>
          {data.categories.map((c) => (
            <CategoryCard key={c.category} c={c} />
          ))}
        </div>
      )}

      <section data-testid={testIds.overview.activeErrors}>
        <Text element="h3">Active errors</Text>
        {active.length === 0 ? (
          <PageEmpty message="No active errors." />
        ) : (
          <InteractiveTable
            columns={errorColumns(admin, busyKey, act, false)}
            data={active}
            getRowId={(e: HealthError) => e.error_key}
          />
        )}
      </section>

      <section data-testid={testIds.overview.dismissedErrors}>
        <Text element="h3">Dismissed</Text>
        {data.dismissed.length === 0 ? (
          <PageEmpty message="Nothing is dismissed." />
        ) : (
          <InteractiveTable
            columns={errorColumns(admin, busyKey, act, true)}
            data={data.dismissed}
            getRowId={(e: HealthError) => e.error_key}
          />
        )}
      </section>
    </Stack>
  );
}

function Overview() {
  const state = useApi(getHealthFull);
  return (
    <PluginPage>
      <div data-testid={testIds.overview.container}>
        <AsyncView state={state} errorTitle="Could not load the health status">
          {(data) => <HealthView data={data} reload={state.reload} />}
        </AsyncView>
      </div>
    </PluginPage>
  );
}

export default Overview;

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(280px, 1fr))',
    gap: theme.spacing(2),
  }),
  card: css({ height: '100%', marginBottom: 0 }),
});
