import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Badge,
  Button,
  Combobox,
  Field,
  InteractiveTable,
  RadioButtonGroup,
  Stack,
  Text,
  useStyles2,
} from '@grafana/ui';
import { useApi } from '../../api/useApi';
import { AsyncView, PageEmpty } from '../../components/PageState';
import { testIds } from '../../components/testIds';
import { getCatalogue, getHistory, type ChannelView, type HistoryEntry } from './api';
import { when } from './common';

const ids = testIds.notifications.history;

type Status = 'all' | 'true' | 'false';
const STATUS_OPTIONS: Array<{ value: Status; label: string }> = [
  { value: 'all', label: 'All' },
  { value: 'true', label: 'Sent' },
  { value: 'false', label: 'Failed' },
];
/** The API has no time filter: entries older than the chosen window are dropped here, and paging stops there. */
const TIME_OPTIONS = [
  { value: 3_600_000, label: 'Last hour' },
  { value: 86_400_000, label: '24 h' },
  { value: 7 * 86_400_000, label: '7 days' },
  { value: 30 * 86_400_000, label: '30 days' },
  { value: 0, label: 'All' },
];
const PAGE_SIZES = [10, 25, 50, 100].map((n) => ({ value: n, label: String(n) }));
/** Types outside the catalogue that still show up in history. */
const EXTRA_TYPES = ['webhook_test', 'custom'];

interface Filters {
  channel?: string;
  eventType?: string;
  status: Status;
  windowMs: number;
  limit: number;
}

type Row = { original: HistoryEntry };

/** One page as shown: the entries inside the time window, and the cursor of the next page if any. */
interface Shown {
  entries: HistoryEntry[];
  more: number | null;
}

const columns = [
  {
    id: 'at',
    header: 'Time',
    cell: ({ row: { original: e } }: { row: Row }) => <span data-testid={ids.row(e.id)}>{when(e.at)}</span>,
  },
  { id: 'channel', header: 'Channel', cell: ({ row: { original: e } }: { row: Row }) => e.channel },
  { id: 'event_type', header: 'Event', cell: ({ row: { original: e } }: { row: Row }) => e.event_type },
  { id: 'severity', header: 'Severity', cell: ({ row: { original: e } }: { row: Row }) => e.severity },
  { id: 'title', header: 'Title', cell: ({ row: { original: e } }: { row: Row }) => e.title },
  { id: 'attempt', header: 'Attempt', cell: ({ row: { original: e } }: { row: Row }) => e.attempt },
  {
    id: 'success',
    header: 'Status',
    cell: ({ row: { original: e } }: { row: Row }) => (
      <Stack gap={0.5}>
        {e.success ? <Badge color="green" text="sent" /> : <Badge color="red" text="failed" />}
        {e.ai_rewritten ? <Badge color="purple" text="AI" /> : null}
      </Stack>
    ),
  },
];

/** Delivery attempts, newest first, with filters and paging. */
export function HistoryTab({ channels }: { channels: ChannelView[] }) {
  const s = useStyles2(getStyles);
  const catalogue = useApi(getCatalogue);
  const [filters, setFilters] = useState<Filters>({ status: 'all', windowMs: 86_400_000, limit: 25 });
  // The `before` cursor of each page visited; the first page has none.
  const [cursors, setCursors] = useState<Array<number | undefined>>([undefined]);
  const before = cursors[cursors.length - 1];
  const [tick, setTick] = useState(0);

  const state = useApi(async (): Promise<Shown> => {
    const since = filters.windowMs > 0 ? Date.now() - filters.windowMs : 0;
    const page = await getHistory({
      ...(filters.channel ? { channel: filters.channel } : {}),
      ...(filters.eventType ? { event_type: filters.eventType } : {}),
      ...(filters.status !== 'all' ? { success: filters.status } : {}),
      ...(before ? { before } : {}),
      limit: filters.limit,
    });
    const entries = page.entries.filter((e) => Date.parse(e.at) >= since);
    // Newest first: once one entry is older than the window, so is every later page.
    return { entries, more: entries.length === page.entries.length ? page.next_before : null };
  }, [filters, before, tick]);

  const setFilter = (next: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...next }));
    setCursors([undefined]);
  };

  const typeOptions = useMemo(() => {
    const types = [...new Set([...(catalogue.data?.events.map((e) => e.type) ?? []), ...EXTRA_TYPES])];
    return [{ value: '', label: 'All events' }, ...types.map((t) => ({ value: t, label: t }))];
  }, [catalogue.data]);

  return (
    <Stack direction="column" gap={2}>
      <Stack gap={2} wrap="wrap" alignItems="flex-end">
        <Field label="Channel">
          <Combobox
            id="nt-hi-channel"
            width={25}
            options={[
              { value: '', label: 'All channels' },
              ...channels.map((c) => ({ value: c.name, label: c.name })),
            ]}
            value={filters.channel ?? ''}
            onChange={(o) => setFilter({ channel: o.value || undefined })}
            data-testid={ids.channel}
          />
        </Field>
        <Field label="Event type">
          <Combobox
            id="nt-hi-event-type"
            width={30}
            options={typeOptions}
            createCustomValue
            value={filters.eventType ?? ''}
            onChange={(o) => setFilter({ eventType: o.value || undefined })}
            data-testid={ids.eventType}
          />
        </Field>
        <Field label="Status">
          <RadioButtonGroup
            options={STATUS_OPTIONS}
            value={filters.status}
            onChange={(v) => setFilter({ status: v })}
            data-testid={ids.status}
          />
        </Field>
        <Field label="Time">
          <RadioButtonGroup
            options={TIME_OPTIONS}
            value={filters.windowMs}
            onChange={(v) => setFilter({ windowMs: v })}
            data-testid={ids.time}
          />
        </Field>
        <Field label="Per page">
          <RadioButtonGroup
            options={PAGE_SIZES}
            value={filters.limit}
            onChange={(v) => setFilter({ limit: v })}
            data-testid={ids.pageSize}
          />
        </Field>
        <Field label=" ">
          <Button
            variant="secondary"
            icon="sync"
            onClick={() => setTick((t) => t + 1)}
            data-testid={ids.refresh}
          >
            Refresh
          </Button>
        </Field>
      </Stack>
      <AsyncView state={state} errorTitle="Could not load the delivery history">
        {(page) => (
          <HistoryPageView
            shown={page}
            pageNo={cursors.length}
            className={s.expanded}
            onPrevious={cursors.length > 1 ? () => setCursors((c) => c.slice(0, -1)) : undefined}
            onNext={(next) => setCursors((c) => [...c, next])}
          />
        )}
      </AsyncView>
    </Stack>
  );
}

function HistoryPageView({
  shown: { entries, more },
  pageNo,
  className,
  onPrevious,
  onNext,
}: {
  shown: Shown;
  pageNo: number;
  className: string;
  onPrevious?: () => void;
  onNext: (before: number) => void;
}) {
  return (
    <div data-testid={ids.table}>
      {entries.length === 0 ? (
        <PageEmpty message="No deliveries match these filters." />
      ) : (
        <InteractiveTable
          columns={columns}
          data={entries}
          getRowId={(e: HistoryEntry) => String(e.id)}
          renderExpandedRow={(e: HistoryEntry) => (
            <div className={className}>
              <Text element="h6">Sent text</Text>
              <pre>{`${e.title}\n\n${e.body}`}</pre>
              {e.ai_rewritten ? (
                <>
                  <Text element="h6">Template text (before the AI rewrite)</Text>
                  <pre>{`${e.original_title ?? ''}\n\n${e.original_body ?? ''}`}</pre>
                </>
              ) : null}
              {e.error ? (
                <>
                  <Text element="h6">Error</Text>
                  <pre>{e.error}</pre>
                </>
              ) : null}
            </div>
          )}
        />
      )}
      <Stack gap={1} alignItems="center">
        <Button
          size="sm"
          variant="secondary"
          icon="angle-left"
          disabled={!onPrevious}
          onClick={onPrevious}
          data-testid={ids.previous}
        >
          Newer
        </Button>
        <span data-testid={ids.page}>
          <Text color="secondary">Page {pageNo}</Text>
        </span>
        <Button
          size="sm"
          variant="secondary"
          icon="angle-right"
          disabled={more === null}
          onClick={() => more !== null && onNext(more)}
          data-testid={ids.next}
        >
          Older
        </Button>
      </Stack>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  expanded: css({
    padding: theme.spacing(1, 2),
    pre: { whiteSpace: 'pre-wrap', marginBottom: theme.spacing(1) },
  }),
});
