import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Alert,
  Badge,
  Button,
  ClipboardButton,
  ConfirmButton,
  Field,
  InteractiveTable,
  Stack,
  Text,
  useStyles2,
} from '@grafana/ui';
import { useApi } from '../../api/useApi';
import { AsyncView } from '../../components/PageState';
import { testIds } from '../../components/testIds';
import { beginTotp, disableTotp, enableTotp, getUsers, type TotpSetup, type User } from './api';
import { OutcomeAlert, TextField, useAction } from './common';
import { currentPasswordProblem, normaliseCode, secondFactorProblem, totpCodeProblem } from './validate';

const ids = testIds.security.totp;

const PASSWORD_HELP =
  'The app talks to the exporter with its own admin token, so the exporter asks for this user’s password ' +
  'to be sure the person here may change their sign-in. A wrong one counts as a failed login.';

/** Setting up and turning off TOTP both re-check the user's password. */
const CurrentPasswordField = ({
  user,
  ...field
}: {
  user: User;
  value: string;
  error?: string;
  onChange: (value: string) => void;
  testId: string;
}) => (
  <TextField
    label={`Current password of ${user.username}`}
    description={PASSWORD_HELP}
    type="password"
    width={36}
    autoComplete="current-password"
    {...field}
  />
);

/** Enrolment in three steps: the user's password, then scan and confirm a code, then the backup codes. */
function SetupPanel({ user, onClose }: { user: User; onClose: (changed: boolean) => void }) {
  const s = useStyles2(getStyles);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [tried, setTried] = useState(false);
  const [setup, setSetup] = useState<TotpSetup>();
  const [backupCodes, setBackupCodes] = useState<string[]>();
  const { busy, outcome, run } = useAction();

  const passwordError = tried && !setup ? currentPasswordProblem(password) : undefined;
  const codeError = tried && setup ? totpCodeProblem(code) : undefined;

  const start = () => {
    setTried(true);
    if (currentPasswordProblem(password)) {
      return;
    }
    void run(async () => {
      setSetup(await beginTotp(user.id, password));
      setTried(false);
      return undefined;
    });
  };

  const enable = () => {
    setTried(true);
    if (!setup || totpCodeProblem(code)) {
      return;
    }
    void run(async () => {
      const r = await enableTotp(user.id, password, normaliseCode(code));
      setPassword('');
      setBackupCodes(r.backup_codes);
      return `TOTP is on for ${user.username}`;
    });
  };

  if (backupCodes) {
    return (
      <Stack direction="column" gap={1}>
        <OutcomeAlert tab="totp" outcome={outcome} />
        <Alert severity="warning" title="Backup codes: shown only this once">
          Each signs in once instead of a code, for when the authenticator is lost. Store them somewhere safe.
        </Alert>
        <pre className={s.codes} data-testid={ids.backupCodes}>
          {backupCodes.join('\n')}
        </pre>
        <Stack gap={1}>
          <ClipboardButton icon="copy" variant="secondary" getText={() => backupCodes.join('\n')}>
            Copy backup codes
          </ClipboardButton>
          <Button onClick={() => onClose(true)} data-testid={ids.done}>
            Done
          </Button>
        </Stack>
      </Stack>
    );
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (setup) {
          enable();
        } else {
          start();
        }
      }}
    >
      <Text element="h4">Set up TOTP for {user.username}</Text>
      {!setup ? (
        <Stack gap={2} alignItems="flex-end" wrap="wrap">
          <CurrentPasswordField
            user={user}
            value={password}
            error={passwordError}
            onChange={setPassword}
            testId={ids.password}
          />
          <Field>
            <Stack gap={1}>
              <Button type="submit" icon="arrow-right" disabled={busy} data-testid={ids.start}>
                Start
              </Button>
              <Button variant="secondary" onClick={() => onClose(false)} data-testid={ids.cancel}>
                Cancel
              </Button>
            </Stack>
          </Field>
        </Stack>
      ) : (
        <Stack gap={3} wrap="wrap" alignItems="flex-start">
          <img
            className={s.qr}
            src={setup.qr_data_url}
            alt={`TOTP QR code for ${user.username}`}
            width={200}
            height={200}
            data-testid={ids.qr}
          />
          <Stack direction="column" gap={1}>
            <Text>Scan the code with an authenticator app, or enter this key by hand:</Text>
            <Stack gap={1} alignItems="center">
              <code className={s.secret} data-testid={ids.secret}>
                {setup.secret}
              </code>
              <ClipboardButton size="sm" icon="copy" variant="secondary" getText={() => setup.secret}>
                Copy key
              </ClipboardButton>
            </Stack>
            <TextField
              label="Code from the app"
              description="The 6 digits it shows now"
              error={codeError}
              value={code}
              width={16}
              inputMode="numeric"
              autoComplete="one-time-code"
              onChange={setCode}
              testId={ids.code}
            />
            <Stack gap={1}>
              <Button type="submit" icon="check" disabled={busy} data-testid={ids.enable}>
                Enable TOTP
              </Button>
              <Button variant="secondary" onClick={() => onClose(false)} data-testid={ids.cancel}>
                Cancel
              </Button>
            </Stack>
          </Stack>
        </Stack>
      )}
      <OutcomeAlert tab="totp" outcome={outcome} />
    </form>
  );
}

/** Turning TOTP off takes the user's password and a code (or a backup code), after a confirm. */
function DisablePanel({ user, onClose }: { user: User; onClose: (changed: boolean) => void }) {
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [tried, setTried] = useState(false);
  const { busy, outcome, run } = useAction();
  const passwordError = tried ? currentPasswordProblem(password) : undefined;
  const codeError = tried ? secondFactorProblem(code) : undefined;
  const valid = () => !currentPasswordProblem(password) && !secondFactorProblem(code);

  return (
    <div>
      <Text element="h4">Turn TOTP off for {user.username}</Text>
      <Stack gap={2} alignItems="flex-start" wrap="wrap">
        <CurrentPasswordField
          user={user}
          value={password}
          error={passwordError}
          onChange={setPassword}
          testId={ids.disablePassword}
        />
        <TextField
          label="Code or backup code"
          description="From the authenticator app, or one of the backup codes"
          error={codeError}
          value={code}
          width={20}
          autoComplete="one-time-code"
          onChange={setCode}
          testId={ids.disableCode}
        />
      </Stack>
      <Stack gap={1}>
        <ConfirmButton
          confirmText="Yes, turn off"
          confirmVariant="destructive"
          disabled={busy}
          onClick={() => setTried(true)}
          onConfirm={() => {
            if (!valid()) {
              return;
            }
            void run(async () => {
              await disableTotp(user.id, password, normaliseCode(code));
              onClose(true);
              return undefined;
            });
          }}
        >
          <Button variant="destructive" icon="unlock" data-testid={ids.disableConfirm}>
            Turn off TOTP
          </Button>
        </ConfirmButton>
        <Button variant="secondary" onClick={() => onClose(false)} data-testid={ids.cancel}>
          Cancel
        </Button>
      </Stack>
      <OutcomeAlert tab="totp" outcome={outcome} />
    </div>
  );
}

/** Two-factor sign-in (TOTP) per user: status, set up with a QR code, turn off. */
export function TotpTab() {
  const state = useApi(getUsers);
  const [target, setTarget] = useState<{ user: User; mode: 'setup' | 'disable' }>();
  const [done, setDone] = useState<string>();

  const close = (changed: boolean) => {
    if (changed && target) {
      setDone(
        target.mode === 'setup'
          ? `TOTP is on for ${target.user.username}`
          : `TOTP is off for ${target.user.username}`,
      );
      state.reload();
    }
    setTarget(undefined);
  };

  const columns = [
    {
      id: 'username',
      header: 'User',
      cell: ({ row: { original: u } }: { row: { original: User } }) => u.username,
    },
    {
      id: 'status',
      header: 'TOTP',
      cell: ({ row: { original: u } }: { row: { original: User } }) => (
        <span data-testid={ids.row(u.username)}>
          {u.totp_enabled ? (
            <Badge color="green" text="on" icon="lock" />
          ) : (
            <Badge color="orange" text="off" />
          )}
        </span>
      ),
    },
    {
      id: 'actions',
      header: '',
      cell: ({ row: { original: u } }: { row: { original: User } }) =>
        u.totp_enabled ? (
          <Button
            size="sm"
            variant="secondary"
            icon="unlock"
            disabled={!!target}
            onClick={() => {
              setDone(undefined);
              setTarget({ user: u, mode: 'disable' });
            }}
            data-testid={ids.disable(u.username)}
          >
            Turn off
          </Button>
        ) : (
          <Button
            size="sm"
            icon="lock"
            disabled={!!target}
            onClick={() => {
              setDone(undefined);
              setTarget({ user: u, mode: 'setup' });
            }}
            data-testid={ids.setup(u.username)}
          >
            Set up
          </Button>
        ),
    },
  ];

  return (
    <Stack direction="column" gap={2}>
      <Text color="secondary">
        With TOTP on, signing in to the exporter takes a code from an authenticator app as well as the
        password.
      </Text>
      {done ? <OutcomeAlert tab="totp-done" outcome={{ ok: true, message: done }} /> : null}
      <div data-testid={ids.list}>
        <AsyncView state={state} errorTitle="Could not load the users" isEmpty={(u) => u.length === 0}>
          {(users) => (
            <InteractiveTable columns={columns} data={users} getRowId={(u: User) => String(u.id)} />
          )}
        </AsyncView>
      </div>
      {target?.mode === 'setup' ? (
        <SetupPanel key={target.user.id} user={target.user} onClose={close} />
      ) : null}
      {target?.mode === 'disable' ? (
        <DisablePanel key={target.user.id} user={target.user} onClose={close} />
      ) : null}
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  // The SVG carries its own light background and quiet zone, so it scans on a dark theme too.
  qr: css({ borderRadius: theme.shape.radius.default, border: `1px solid ${theme.colors.border.weak}` }),
  secret: css({ fontFamily: theme.typography.fontFamilyMonospace, wordBreak: 'break-all' }),
  codes: css({ fontFamily: theme.typography.fontFamilyMonospace, maxWidth: '20em' }),
});
