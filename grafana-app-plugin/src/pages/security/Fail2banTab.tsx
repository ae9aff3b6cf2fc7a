import React from 'react';
import { Button, ConfirmButton, InteractiveTable, Stack, Text } from '@grafana/ui';
import { useApi } from '../../api/useApi';
import { AsyncView, PageEmpty } from '../../components/PageState';
import { testIds } from '../../components/testIds';
import { getFail2ban, unbanIp, type Fail2banStatus } from './api';
import { OutcomeAlert, useAction } from './common';

const ids = testIds.security.fail2ban;

const num = (n: number | null) => (n === null ? '—' : String(n));

function Jail({ s, reload }: { s: Fail2banStatus; reload: () => void }) {
  const action = useAction();
  const columns = [
    {
      id: 'ip',
      header: 'Banned address',
      cell: ({ row: { original: r } }: { row: { original: { ip: string } } }) => (
        <span data-testid={ids.row(r.ip)}>{r.ip}</span>
      ),
    },
    {
      id: 'actions',
      header: '',
      cell: ({ row: { original: r } }: { row: { original: { ip: string } } }) => (
        <ConfirmButton
          confirmText="Yes, unban"
          confirmVariant="primary"
          disabled={action.busy}
          onConfirm={() =>
            void action.run(async () => {
              await unbanIp(r.ip);
              reload();
              return `${r.ip} unbanned`;
            })
          }
        >
          <Button size="sm" variant="secondary" icon="unlock" data-testid={ids.unban(r.ip)}>
            Unban
          </Button>
        </ConfirmButton>
      ),
    },
  ];
  return (
    <Stack direction="column" gap={2}>
      <div data-testid={ids.status}>
        <Text>
          Jail <strong>{s.jail}</strong>: {num(s.currently_banned)} banned now ({num(s.total_banned)} in
          total), {num(s.currently_failed)} failing now ({num(s.total_failed)} in total).
        </Text>
      </div>
      <OutcomeAlert tab="fail2ban" outcome={action.outcome} />
      <div data-testid={ids.table}>
        {s.banned_ips.length === 0 ? (
          <PageEmpty message="No address is banned." />
        ) : (
          <InteractiveTable
            columns={columns}
            data={s.banned_ips.map((ip) => ({ ip }))}
            getRowId={(r: { ip: string }) => r.ip}
          />
        )}
      </div>
    </Stack>
  );
}

/** fail2ban's proxmon jail: counters, banned addresses, unban (after a confirm). */
export function Fail2banTab() {
  const state = useApi(getFail2ban);
  return (
    <Stack direction="column" gap={2}>
      <Stack alignItems="center" gap={2}>
        <Text color="secondary">
          fail2ban bans addresses that keep failing to sign in; a banned address gets 403 from the exporter.
        </Text>
        <Button size="sm" variant="secondary" icon="sync" onClick={state.reload} data-testid={ids.refresh}>
          Refresh
        </Button>
      </Stack>
      <AsyncView state={state} errorTitle="Could not load the fail2ban status">
        {(s) =>
          s.available ? (
            <Jail s={s} reload={state.reload} />
          ) : (
            <div data-testid={ids.unavailable}>
              <PageEmpty message="fail2ban not available">
                <Text color="secondary">
                  The exporter could not read the {s.jail || 'proxmon'} jail
                  {s.error ? `: ${s.error}` : ''}. Install fail2ban and the jail from deploy/fail2ban to ban
                  addresses after repeated failed sign-ins.
                </Text>
              </PageEmpty>
            </div>
          )
        }
      </AsyncView>
    </Stack>
  );
}
