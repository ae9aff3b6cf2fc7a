import React from 'react';
import { Button, InteractiveTable, Stack, Text } from '@grafana/ui';
import { useApi } from '../../api/useApi';
import { AsyncView } from '../../components/PageState';
import { testIds } from '../../components/testIds';
import { getAuthFailures, type AuthFailure } from './api';
import { when } from './common';

const ids = testIds.security.failures;

type Row = AuthFailure & { key: string };

const columns = [
  { id: 'at', header: 'When', cell: ({ row: { original: f } }: { row: { original: Row } }) => when(f.at) },
  { id: 'ip', header: 'Client address' },
  { id: 'username', header: 'User name tried' },
];

/** Failed logins (and failed re-authentications) within the exporter's rate-limit window. */
export function FailuresTab() {
  const state = useApi(() => getAuthFailures(200));
  return (
    <Stack direction="column" gap={2}>
      <Stack alignItems="center" gap={2}>
        <Text color="secondary">
          Failed sign-ins still counted by the rate limit, newest first. Repeated ones from one address are
          what fail2ban bans.
        </Text>
        <Button size="sm" variant="secondary" icon="sync" onClick={state.reload} data-testid={ids.refresh}>
          Refresh
        </Button>
      </Stack>
      <div data-testid={ids.table}>
        <AsyncView
          state={state}
          errorTitle="Could not load the authentication failures"
          isEmpty={(d) => d.failures.length === 0}
          emptyMessage="No failed sign-ins within the rate-limit window."
        >
          {(d) => (
            <InteractiveTable
              columns={columns}
              data={d.failures.map((f, i) => ({ ...f, key: `${f.at}-${f.ip}-${i}` }))}
              getRowId={(f: Row) => f.key}
            />
          )}
        </AsyncView>
      </div>
    </Stack>
  );
}
