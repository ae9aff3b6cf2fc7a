import React, { useState } from 'react';
import {
  Badge,
  Button,
  ConfirmButton,
  Field,
  InteractiveTable,
  Modal,
  RadioButtonGroup,
  Stack,
  Text,
} from '@grafana/ui';
import { useApi } from '../../api/useApi';
import { AsyncView } from '../../components/PageState';
import { testIds } from '../../components/testIds';
import { createUser, deleteUser, getUsers, updateUser, type Role, type User } from './api';
import { OutcomeAlert, TextField, useAction, when } from './common';
import { passwordProblem, usernameProblem } from './validate';

const ids = testIds.security.users;

const PASSWORD_RULE = 'At least 12 characters, not containing the user name';

const ROLE_OPTIONS: Array<{ value: Role; label: string; description: string }> = [
  { value: 'admin', label: 'Admin', description: 'every scope: settings, users, tokens, terminal' },
  { value: 'viewer', label: 'Viewer', description: 'reads only' },
];

function AddUserForm({ onAdded }: { onAdded: (u: User) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [tried, setTried] = useState(false);
  const { busy, outcome, run } = useAction();
  const userError = tried ? usernameProblem(username) : undefined;
  const passError = tried ? passwordProblem(password, username) : undefined;

  const submit = () => {
    setTried(true);
    if (usernameProblem(username) || passwordProblem(password, username)) {
      return;
    }
    void run(async () => {
      const u = await createUser({ username, password, role });
      setUsername('');
      setPassword('');
      setTried(false);
      onAdded(u);
      return `User ${u.username} added`;
    });
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Text element="h4">Add a user</Text>
      <Stack gap={2} wrap="wrap" alignItems="flex-start">
        <TextField
          label="User name"
          error={userError}
          required
          value={username}
          width={24}
          autoComplete="off"
          onChange={setUsername}
          testId={ids.username}
        />
        <TextField
          label="Password"
          description={PASSWORD_RULE}
          error={passError}
          required
          type="password"
          value={password}
          width={30}
          autoComplete="new-password"
          onChange={setPassword}
          testId={ids.password}
        />
        <Field label="Role">
          <RadioButtonGroup
            options={ROLE_OPTIONS}
            value={role}
            onChange={setRole}
            data-testid={ids.newRole}
          />
        </Field>
      </Stack>
      <Button type="submit" icon="user" disabled={busy} data-testid={ids.add}>
        Add user
      </Button>
      <OutcomeAlert tab="users-add" outcome={outcome} />
    </form>
  );
}

/** An admin sets a new password for someone (their sessions end); the old one is not needed. */
function SetPasswordModal({ user, onClose }: { user: User; onClose: (message?: string) => void }) {
  const [password, setPassword] = useState('');
  const [tried, setTried] = useState(false);
  const { busy, outcome, run } = useAction();
  const error = tried ? passwordProblem(password, user.username) : undefined;
  const save = () => {
    setTried(true);
    if (passwordProblem(password, user.username)) {
      return;
    }
    void run(async () => {
      await updateUser(user.id, { password });
      onClose(`New password set for ${user.username}; their sessions were signed out`);
      return undefined;
    });
  };
  return (
    <Modal title={`Set a new password for ${user.username}`} isOpen onDismiss={() => onClose()}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <TextField
          label="New password"
          description={PASSWORD_RULE}
          error={error}
          type="password"
          value={password}
          autoComplete="new-password"
          onChange={setPassword}
          testId={ids.newPassword}
        />
        <OutcomeAlert tab="users-password" outcome={outcome} />
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={() => onClose()}>
            Cancel
          </Button>
          <Button type="submit" disabled={busy} data-testid={ids.savePassword}>
            Set password
          </Button>
        </Modal.ButtonRow>
      </form>
    </Modal>
  );
}

/** Users of the exporter: add, change role, set a password, delete (after a confirm). */
export function UsersTab() {
  const state = useApi(getUsers);
  const action = useAction();
  const [passwordFor, setPasswordFor] = useState<User>();

  const setRole = (u: User, role: Role) =>
    void action.run(async () => {
      await updateUser(u.id, { role });
      state.reload();
      return `${u.username} is now ${role === 'admin' ? 'an admin' : 'a viewer'}`;
    });

  const columns = [
    {
      id: 'username',
      header: 'User',
      cell: ({ row: { original: u } }: { row: { original: User } }) => (
        <span data-testid={ids.row(u.username)}>{u.username}</span>
      ),
    },
    {
      id: 'role',
      header: 'Role',
      cell: ({ row: { original: u } }: { row: { original: User } }) => (
        <RadioButtonGroup
          size="sm"
          options={ROLE_OPTIONS}
          value={u.role}
          disabled={action.busy}
          onChange={(r) => setRole(u, r)}
          data-testid={ids.role(u.username)}
        />
      ),
    },
    {
      id: 'totp',
      header: 'TOTP',
      cell: ({ row: { original: u } }: { row: { original: User } }) =>
        u.totp_enabled ? <Badge color="green" text="on" icon="lock" /> : <Badge color="orange" text="off" />,
    },
    {
      id: 'created_at',
      header: 'Created',
      cell: ({ row: { original: u } }: { row: { original: User } }) => when(u.created_at),
    },
    {
      id: 'password_changed_at',
      header: 'Password changed',
      cell: ({ row: { original: u } }: { row: { original: User } }) => when(u.password_changed_at),
    },
    {
      id: 'actions',
      header: '',
      cell: ({ row: { original: u } }: { row: { original: User } }) => (
        <Stack gap={1} justifyContent="flex-end">
          <Button
            size="sm"
            variant="secondary"
            icon="key-skeleton-alt"
            onClick={() => setPasswordFor(u)}
            data-testid={ids.setPassword(u.username)}
          >
            Set password
          </Button>
          <ConfirmButton
            confirmText="Yes, delete"
            confirmVariant="destructive"
            disabled={action.busy}
            onConfirm={() =>
              void action.run(async () => {
                await deleteUser(u.id);
                state.reload();
                return `User ${u.username} and their tokens deleted`;
              })
            }
          >
            <Button
              size="sm"
              variant="destructive"
              fill="outline"
              icon="trash-alt"
              data-testid={ids.remove(u.username)}
            >
              Delete
            </Button>
          </ConfirmButton>
        </Stack>
      ),
    },
  ];

  return (
    <Stack direction="column" gap={2}>
      <OutcomeAlert tab="users" outcome={action.outcome} />
      <div data-testid={ids.list}>
        <AsyncView state={state} errorTitle="Could not load the users" isEmpty={(u) => u.length === 0}>
          {(users) => (
            <InteractiveTable columns={columns} data={users} getRowId={(u: User) => String(u.id)} />
          )}
        </AsyncView>
      </div>
      <Text color="secondary" variant="bodySmall">
        The exporter has no disabled state for a user: to lock someone out, delete them (their tokens go with
        them) or set a new password (their sessions end).
      </Text>
      <AddUserForm onAdded={() => state.reload()} />
      {passwordFor ? (
        <SetPasswordModal
          user={passwordFor}
          onClose={(message) => {
            setPasswordFor(undefined);
            if (message) {
              state.reload();
              void action.run(async () => message);
            }
          }}
        />
      ) : null}
    </Stack>
  );
}
