import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  ClipboardButton,
  ConfirmButton,
  Field,
  InlineSwitch,
  Input,
  InteractiveTable,
  RadioButtonGroup,
  Stack,
  Text,
  useStyles2,
} from '@grafana/ui';
import { useApi } from '../../api/useApi';
import { AsyncView, PageEmpty } from '../../components/PageState';
import { testIds } from '../../components/testIds';
import { createToken, getTokens, revokeToken, SCOPES, type ApiToken, type Scope } from './api';
import { OutcomeAlert, TextField, useAction, when } from './common';
import { scopesProblem, tokenNameProblem } from './validate';

const ids = testIds.security.tokens;

const SCOPE_HELP: Record<Scope, string> = {
  read: 'metrics and every read',
  write: 'settings, dismissals, guest actions',
  admin: 'users, tokens, security',
  terminal: 'the web terminal',
};

const EXPIRY = [
  { value: 0, label: 'Never' },
  { value: 7, label: '7 days' },
  { value: 30, label: '30 days' },
  { value: 90, label: '90 days' },
  { value: 365, label: '1 year' },
];

const isExpired = (t: ApiToken) => t.expires_at !== null && Date.parse(t.expires_at) <= Date.now();

function TokenStatus({ t }: { t: ApiToken }) {
  if (t.revoked) {
    return <Badge color="red" text="revoked" />;
  }
  return isExpired(t) ? <Badge color="orange" text="expired" /> : <Badge color="green" text="active" />;
}

/** The new token, shown once: the exporter keeps only its hash. */
function CreatedToken({ token, name, onDone }: { token: string; name: string; onDone: () => void }) {
  const s = useStyles2(getStyles);
  return (
    <div data-testid={ids.created}>
      <Alert severity="success" title={`Token ${name} created`}>
        <Stack direction="column" gap={1}>
          <div>Copy it now: it is shown only this once and cannot be read back later.</div>
          <Stack gap={1} alignItems="center">
            <Input
              className={s.token}
              value={token}
              readOnly
              aria-label="New API token"
              data-testid={ids.createdValue}
            />
            <ClipboardButton icon="copy" variant="primary" getText={() => token} data-testid={ids.copy}>
              Copy
            </ClipboardButton>
            <Button variant="secondary" onClick={onDone} data-testid={ids.done}>
              Done
            </Button>
          </Stack>
        </Stack>
      </Alert>
    </div>
  );
}

function CreateTokenForm({ onCreated }: { onCreated: (t: ApiToken & { token: string }) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['read']);
  const [days, setDays] = useState(0);
  const [tried, setTried] = useState(false);
  const { busy, outcome, run } = useAction();

  const nameError = tried ? tokenNameProblem(name) : undefined;
  const scopesError = tried ? scopesProblem(scopes) : undefined;
  const toggle = (scope: Scope, on: boolean) =>
    setScopes((cur) => SCOPES.filter((x) => (x === scope ? on : cur.includes(x))));

  const submit = () => {
    setTried(true);
    if (tokenNameProblem(name) || scopesProblem(scopes)) {
      return;
    }
    void run(async () => {
      const created = await createToken({
        name: name.trim(),
        scopes,
        ...(days ? { expires_in_days: days } : {}),
      });
      onCreated(created);
      setName('');
      setTried(false);
      return undefined;
    });
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Text element="h4">Create a token</Text>
      <Stack gap={2} wrap="wrap" alignItems="flex-start">
        <TextField
          label="Name"
          error={nameError}
          required
          value={name}
          width={30}
          placeholder="prometheus"
          onChange={setName}
          testId={ids.name}
        />
        <Field label="Scopes" invalid={!!scopesError} error={scopesError}>
          {/* A fragment, which Field leaves alone: it would hand `invalid` to the Stack's <div>. */}
          <>
            <Stack direction="column" gap={0.5}>
              {SCOPES.map((scope) => (
                <Checkbox
                  key={scope}
                  label={scope}
                  description={SCOPE_HELP[scope]}
                  value={scopes.includes(scope)}
                  onChange={(e) => toggle(scope, e.currentTarget.checked)}
                  data-testid={ids.scope(scope)}
                />
              ))}
            </Stack>
          </>
        </Field>
        <Field label="Expires">
          <RadioButtonGroup options={EXPIRY} value={days} onChange={setDays} data-testid={ids.expiry} />
        </Field>
      </Stack>
      <Button type="submit" icon="plus" disabled={busy} data-testid={ids.create}>
        Create token
      </Button>
      <OutcomeAlert tab="tokens" outcome={outcome} />
    </form>
  );
}

/** API tokens: list (revoked ones on request), create with the value shown once, revoke after a confirm. */
export function TokensTab() {
  const state = useApi(getTokens);
  const [showRevoked, setShowRevoked] = useState(false);
  const [created, setCreated] = useState<{ name: string; token: string }>();
  const revoke = useAction();

  const columns = [
    {
      id: 'name',
      header: 'Name',
      cell: ({ row: { original: t } }: { row: { original: ApiToken } }) => (
        <span data-testid={ids.row(t.id)}>{t.name}</span>
      ),
    },
    {
      id: 'scopes',
      header: 'Scopes',
      cell: ({ row: { original: t } }: { row: { original: ApiToken } }) => (
        <Stack gap={0.5}>
          {t.scopes.map((x) => (
            <Badge key={x} color={x === 'read' ? 'blue' : 'purple'} text={x} />
          ))}
        </Stack>
      ),
    },
    {
      id: 'status',
      header: 'Status',
      cell: ({ row: { original: t } }: { row: { original: ApiToken } }) => <TokenStatus t={t} />,
    },
    {
      id: 'created_at',
      header: 'Created',
      cell: ({ row: { original: t } }: { row: { original: ApiToken } }) => when(t.created_at),
    },
    {
      id: 'expires_at',
      header: 'Expires',
      cell: ({ row: { original: t } }: { row: { original: ApiToken } }) =>
        t.expires_at ? when(t.expires_at) : 'never',
    },
    {
      id: 'last_used_at',
      header: 'Last used',
      cell: ({ row: { original: t } }: { row: { original: ApiToken } }) => when(t.last_used_at),
    },
    {
      id: 'actions',
      header: '',
      cell: ({ row: { original: t } }: { row: { original: ApiToken } }) =>
        t.revoked ? null : (
          <ConfirmButton
            confirmText="Yes, revoke"
            confirmVariant="destructive"
            disabled={revoke.busy}
            onConfirm={() =>
              void revoke.run(async () => {
                await revokeToken(t.id);
                state.reload();
                return `Token ${t.name} revoked`;
              })
            }
          >
            <Button size="sm" variant="destructive" fill="outline" icon="ban" data-testid={ids.revoke(t.id)}>
              Revoke
            </Button>
          </ConfirmButton>
        ),
    },
  ];

  return (
    <Stack direction="column" gap={2}>
      {created ? (
        <CreatedToken token={created.token} name={created.name} onDone={() => setCreated(undefined)} />
      ) : null}
      <CreateTokenForm
        onCreated={(t) => {
          setCreated({ name: t.name, token: t.token });
          revoke.clear();
          state.reload();
        }}
      />
      <Stack alignItems="center" gap={1}>
        <Text element="h4">Tokens</Text>
        <InlineSwitch
          value={showRevoked}
          label="Show revoked"
          showLabel
          transparent
          onChange={(e) => setShowRevoked(e.currentTarget.checked)}
          data-testid={ids.showRevoked}
        />
      </Stack>
      <Text color="secondary" variant="bodySmall">
        Revoking the token this app is configured with stops the app until a new one is saved on the
        configuration page.
      </Text>
      <OutcomeAlert tab="tokens-list" outcome={revoke.outcome} />
      <div data-testid={ids.list}>
        <AsyncView state={state} errorTitle="Could not load the API tokens">
          {(tokens) => {
            const shown = tokens.filter((t) => showRevoked || !t.revoked);
            return shown.length === 0 ? (
              <PageEmpty
                message={
                  tokens.length ? 'Only revoked tokens; switch on "Show revoked".' : 'No API tokens yet.'
                }
              />
            ) : (
              <InteractiveTable columns={columns} data={shown} getRowId={(t: ApiToken) => String(t.id)} />
            );
          }}
        </AsyncView>
      </div>
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  token: css({ fontFamily: theme.typography.fontFamilyMonospace, minWidth: '32em' }),
});
