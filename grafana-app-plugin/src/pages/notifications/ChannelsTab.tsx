import React, { useMemo, useState } from 'react';
import { Badge, Button, InteractiveTable, Modal, Stack, Text, Tooltip } from '@grafana/ui';
import { ApiError, toApiError } from '../../api/client';
import { PageEmpty } from '../../components/PageState';
import { testIds } from '../../components/testIds';
import { deleteChannel, testChannel, type ChannelView, type TestResult } from './api';
import { ChannelForm } from './ChannelForm';
import { CHANNEL_LABELS } from './channelTypes';
import { ActionError } from './common';

const ids = testIds.notifications.channels;

type Row = { original: ChannelView };

const TestBadge = ({ r, testId }: { r: TestResult; testId: string }) => (
  <span data-testid={testId}>
    {r.ok ? (
      <Badge color="green" icon="check" text="sent" />
    ) : (
      <Tooltip content={r.error ?? 'failed'}>
        <span>
          <Badge color="red" icon="exclamation-triangle" text={`failed: ${r.error ?? ''}`} />
        </span>
      </Tooltip>
    )}
  </span>
);

/** The channels: list with masked secrets, add, edit, test (one or all) and delete. */
export function ChannelsTab({
  channels,
  admin,
  reload,
}: {
  channels: ChannelView[];
  admin: boolean;
  reload: () => void;
}) {
  const [editing, setEditing] = useState<ChannelView | 'new'>();
  const [busy, setBusy] = useState<string>();
  const [results, setResults] = useState<Record<string, TestResult>>({});
  const [allResults, setAllResults] = useState<TestResult[]>();
  const [deleting, setDeleting] = useState<ChannelView>();
  const [actionError, setActionError] = useState<ApiError>();

  const run = async (key: string, fn: () => Promise<void>) => {
    setBusy(key);
    setActionError(undefined);
    try {
      await fn();
    } catch (e) {
      setActionError(toApiError(e));
    } finally {
      setBusy(undefined);
    }
  };

  const test = (name: string) =>
    run(`test:${name}`, async () => {
      const { results: r } = await testChannel(name);
      setResults((cur) => ({ ...cur, ...Object.fromEntries(r.map((x) => [x.channel, x])) }));
      if (name === 'all') {
        setAllResults(r);
      }
    });

  const remove = (c: ChannelView) =>
    run(`delete:${c.name}`, async () => {
      setDeleting(undefined);
      await deleteChannel(c.name);
      reload();
    });

  const columns = useMemo(
    () => [
      {
        id: 'name',
        header: 'Name',
        cell: ({ row: { original: c } }: { row: Row }) => (
          <span data-testid={ids.row(c.name)}>
            <Text weight="medium">{c.name}</Text>
          </span>
        ),
      },
      {
        id: 'type',
        header: 'Type',
        cell: ({ row: { original: c } }: { row: Row }) => CHANNEL_LABELS[c.type] ?? c.type,
      },
      {
        id: 'enabled',
        header: 'State',
        cell: ({ row: { original: c } }: { row: Row }) => (
          <Stack gap={0.5}>
            {c.enabled ? <Badge color="green" text="enabled" /> : <Badge color="darkgrey" text="disabled" />}
            {c.source === 'config' ? (
              <Tooltip content="Provisioned from the exporter's YAML: a restart applies the file again">
                <span>
                  <Badge color="blue" text="from config" />
                </span>
              </Tooltip>
            ) : null}
          </Stack>
        ),
      },
      {
        id: 'min_severity',
        header: 'Sends',
        cell: ({ row: { original: c } }: { row: Row }) =>
          c.min_severity === 'INFO'
            ? 'all'
            : c.min_severity === 'WARNING'
              ? 'warning and up'
              : 'critical only',
      },
      {
        id: 'secrets',
        header: 'Secrets',
        cell: ({ row: { original: c } }: { row: Row }) => (
          <Stack gap={0.5} wrap="wrap">
            {Object.entries(c.secrets).map(([k, set]) => (
              <span key={k} data-testid={ids.secret(c.name, k)}>
                <Badge color={set ? 'green' : 'darkgrey'} text={`${k}: ${set ? 'configured' : 'not set'}`} />
              </span>
            ))}
          </Stack>
        ),
      },
      {
        id: 'test',
        header: 'Last test',
        cell: ({ row: { original: c } }: { row: Row }) =>
          results[c.name] ? <TestBadge r={results[c.name]!} testId={ids.testResult(c.name)} /> : null,
      },
      {
        id: 'actions',
        header: '',
        cell: ({ row: { original: c } }: { row: Row }) =>
          admin ? (
            <Stack gap={1}>
              <Button
                size="sm"
                variant="secondary"
                icon={busy === `test:${c.name}` ? 'spinner' : 'message'}
                disabled={busy !== undefined || !c.enabled}
                tooltip={c.enabled ? 'Send a test message now' : 'Enable the channel to test it'}
                onClick={() => test(c.name)}
                data-testid={ids.test(c.name)}
              >
                Test
              </Button>
              <Button
                size="sm"
                variant="secondary"
                icon="pen"
                disabled={busy !== undefined}
                onClick={() => setEditing(c)}
                data-testid={ids.edit(c.name)}
              >
                Edit
              </Button>
              <Button
                size="sm"
                variant="destructive"
                icon="trash-alt"
                disabled={busy !== undefined}
                onClick={() => setDeleting(c)}
                data-testid={ids.remove(c.name)}
              >
                Delete
              </Button>
            </Stack>
          ) : null,
      },
    ],
    // `test` and `setEditing` only close over state setters and `busy`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [admin, busy, results],
  );

  if (editing) {
    return (
      <ChannelForm
        existing={editing === 'new' ? undefined : editing}
        onCancel={() => setEditing(undefined)}
        onSaved={() => {
          setEditing(undefined);
          reload();
        }}
      />
    );
  }

  return (
    <Stack direction="column" gap={2}>
      {admin ? (
        <Stack gap={1}>
          <Button icon="plus" onClick={() => setEditing('new')} data-testid={ids.add}>
            Add channel
          </Button>
          <Button
            variant="secondary"
            icon={busy === 'test:all' ? 'spinner' : 'message'}
            disabled={busy !== undefined || channels.length === 0}
            onClick={() => test('all')}
            data-testid={ids.testAll}
          >
            Test all
          </Button>
        </Stack>
      ) : null}
      <ActionError error={actionError} />
      {allResults ? (
        <div data-testid={ids.testAllResult}>
          <Stack gap={1} wrap="wrap">
            {allResults.length === 0 ? <Text color="secondary">No channel to test.</Text> : null}
            {allResults.map((r) => (
              <Stack key={r.channel} gap={0.5} alignItems="center">
                <Text>{r.channel}</Text>
                <TestBadge r={r} testId={`${ids.testAllResult}-${r.channel}`} />
              </Stack>
            ))}
          </Stack>
        </div>
      ) : null}
      <div data-testid={ids.list}>
        {channels.length === 0 ? (
          <PageEmpty message="No channels yet: add one to receive notifications." />
        ) : (
          <InteractiveTable columns={columns} data={channels} getRowId={(c: ChannelView) => c.name} />
        )}
      </div>
      <Modal
        title={`Delete channel ${deleting?.name ?? ''}?`}
        isOpen={deleting !== undefined}
        onDismiss={() => setDeleting(undefined)}
      >
        <Text>Its settings and stored secrets are removed from the exporter. This cannot be undone.</Text>
        <Modal.ButtonRow>
          <Button variant="secondary" onClick={() => setDeleting(undefined)} data-testid={ids.cancelDelete}>
            Cancel
          </Button>
          <Button
            variant="destructive"
            icon="trash-alt"
            onClick={() => deleting && remove(deleting)}
            data-testid={ids.confirmDelete}
          >
            Delete
          </Button>
        </Modal.ButtonRow>
      </Modal>
    </Stack>
  );
}
