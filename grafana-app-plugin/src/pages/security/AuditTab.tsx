import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, InteractiveTable, RadioButtonGroup, Stack, Text, useStyles2 } from '@grafana/ui';
import { useApi } from '../../api/useApi';
import { AsyncView } from '../../components/PageState';
import { testIds } from '../../components/testIds';
import { getAudit, type AuditEntry } from './api';
import { when } from './common';

const ids = testIds.security.audit;

const PAGE_SIZES = [25, 50, 100].map((n) => ({ value: n, label: String(n) }));

const detailText = (d: AuditEntry['detail']) =>
  d
    ? Object.entries(d)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ')
    : '';

/**
 * The audit log, newest first, in pages: the exporter pages by id (`before`), so "Older" follows
 * next_before and "Newer" steps back through the cursors seen so far.
 */
export function AuditTab() {
  const s = useStyles2(getStyles);
  const [limit, setLimit] = useState(25);
  // cursors[i] is the `before` of page i; page 0 is the newest (no cursor).
  const [cursors, setCursors] = useState<Array<number | undefined>>([undefined]);
  const page = cursors.length - 1;
  const key = `${limit}:${cursors[page] ?? 'newest'}`;
  // Tagged with what was asked, so paging waits until the page on screen is the one the cursors name.
  const state = useApi(async () => ({ key, ...(await getAudit(limit, cursors[page])) }), [key]);
  const settled = state.data?.key === key && !state.loading;

  const columns = [
    {
      id: 'at',
      header: 'When',
      cell: ({ row: { original: e } }: { row: { original: AuditEntry } }) => (
        <span data-testid={ids.row(e.id)}>{when(e.at)}</span>
      ),
    },
    { id: 'action', header: 'Action' },
    {
      id: 'actor',
      header: 'By',
      cell: ({ row: { original: e } }: { row: { original: AuditEntry } }) => e.actor ?? '—',
    },
    {
      id: 'target',
      header: 'Target',
      cell: ({ row: { original: e } }: { row: { original: AuditEntry } }) => e.target ?? '—',
    },
    {
      id: 'ip',
      header: 'From',
      cell: ({ row: { original: e } }: { row: { original: AuditEntry } }) => e.ip ?? '—',
    },
    {
      id: 'detail',
      header: 'Detail',
      cell: ({ row: { original: e } }: { row: { original: AuditEntry } }) => (
        <span className={s.detail}>{detailText(e.detail)}</span>
      ),
    },
  ];

  const next = state.data?.next_before ?? null;
  return (
    <Stack direction="column" gap={2}>
      <Stack alignItems="center" gap={2} wrap="wrap">
        <Button
          size="sm"
          variant="secondary"
          icon="sync"
          onClick={() => (page === 0 ? state.reload() : setCursors([undefined]))}
          data-testid={ids.newest}
        >
          Newest
        </Button>
        <Button
          size="sm"
          variant="secondary"
          icon="angle-left"
          disabled={page === 0 || !settled}
          onClick={() => setCursors((c) => c.slice(0, -1))}
          data-testid={ids.newer}
        >
          Newer
        </Button>
        <span data-testid={ids.page}>
          <Text color="secondary">Page {page + 1}</Text>
        </span>
        <Button
          size="sm"
          variant="secondary"
          icon="angle-right"
          disabled={next === null || !settled}
          onClick={() => next !== null && setCursors((c) => [...c, next])}
          data-testid={ids.older}
        >
          Older
        </Button>
        <Text color="secondary">Per page</Text>
        <RadioButtonGroup
          size="sm"
          options={PAGE_SIZES}
          value={limit}
          onChange={(n) => {
            setLimit(n);
            setCursors([undefined]);
          }}
          data-testid={ids.pageSize}
        />
      </Stack>
      <div data-testid={ids.table}>
        <AsyncView
          state={state}
          errorTitle="Could not load the audit log"
          isEmpty={(d) => d.entries.length === 0}
          emptyMessage="The audit log is empty."
        >
          {(d) => (
            <InteractiveTable columns={columns} data={d.entries} getRowId={(e: AuditEntry) => String(e.id)} />
          )}
        </AsyncView>
      </div>
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  detail: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});
