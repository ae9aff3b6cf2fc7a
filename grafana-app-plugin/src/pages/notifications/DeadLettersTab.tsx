import React, { useMemo, useState } from 'react';
import { Alert, Button, InteractiveTable, Stack, Text } from '@grafana/ui';
import { ApiError, toApiError } from '../../api/client';
import { useApi } from '../../api/useApi';
import { AsyncView } from '../../components/PageState';
import { testIds } from '../../components/testIds';
import { getDeadLetters, retryDeadLetter, type DeadLetter } from './api';
import { ActionError, when } from './common';

const ids = testIds.notifications.deadLetters;

type Row = { original: DeadLetter };

/** Deliveries given up on after their attempts; Retry queues one again at the end of its channel's queue. */
export function DeadLettersTab({ admin }: { admin: boolean }) {
  const state = useApi(getDeadLetters);
  const [busy, setBusy] = useState<number>();
  const [retried, setRetried] = useState<DeadLetter>();
  const [error, setError] = useState<ApiError>();

  const retry = async (d: DeadLetter) => {
    setBusy(d.id);
    setError(undefined);
    setRetried(undefined);
    try {
      await retryDeadLetter(d.id);
      setRetried(d);
      state.reload();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(undefined);
    }
  };

  const columns = useMemo(
    () => [
      {
        id: 'finished_at',
        header: 'Given up',
        cell: ({ row: { original: d } }: { row: Row }) => (
          <span data-testid={ids.row(d.id)}>{when(d.finished_at)}</span>
        ),
      },
      { id: 'channel', header: 'Channel', cell: ({ row: { original: d } }: { row: Row }) => d.channel },
      { id: 'event_type', header: 'Event', cell: ({ row: { original: d } }: { row: Row }) => d.event_type },
      { id: 'title', header: 'Title', cell: ({ row: { original: d } }: { row: Row }) => d.title },
      { id: 'attempts', header: 'Attempts', cell: ({ row: { original: d } }: { row: Row }) => d.attempts },
      {
        id: 'last_error',
        header: 'Last error',
        cell: ({ row: { original: d } }: { row: Row }) => <Text color="error">{d.last_error ?? '—'}</Text>,
      },
      {
        id: 'actions',
        header: '',
        cell: ({ row: { original: d } }: { row: Row }) =>
          admin ? (
            <Button
              size="sm"
              variant="secondary"
              icon={busy === d.id ? 'spinner' : 'repeat'}
              disabled={busy !== undefined}
              onClick={() => retry(d)}
              data-testid={ids.retry(d.id)}
            >
              Retry
            </Button>
          ) : null,
      },
    ],
    // `retry` only closes over setters and the reload of `state`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [admin, busy],
  );

  return (
    <Stack direction="column" gap={2}>
      <Stack gap={1}>
        <Button variant="secondary" icon="sync" onClick={state.reload} data-testid={ids.refresh}>
          Refresh
        </Button>
      </Stack>
      <ActionError error={error} title="Not queued again" />
      {retried ? (
        <div data-testid={ids.result}>
          <Alert severity="success" title="Queued again">
            {`"${retried.title}" to ${retried.channel} is back in the queue; its new attempts show in the history.`}
          </Alert>
        </div>
      ) : null}
      <div data-testid={ids.table}>
        <AsyncView
          state={state}
          isEmpty={(d) => d.dead_letters.length === 0}
          emptyMessage="No dead letters: every delivery was sent or is still being tried."
          errorTitle="Could not load the dead letters"
        >
          {(d) => (
            <InteractiveTable
              columns={columns}
              data={d.dead_letters}
              getRowId={(x: DeadLetter) => String(x.id)}
            />
          )}
        </AsyncView>
      </div>
    </Stack>
  );
}
