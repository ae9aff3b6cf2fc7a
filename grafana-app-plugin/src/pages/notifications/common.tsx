import React from 'react';
import { Alert } from '@grafana/ui';
import type { ApiError } from '../../api/client';
import { testIds } from '../../components/testIds';

/** What a failed action says, under the control that started it. */
export const ActionError = ({
  error,
  title = 'That did not work',
  testId = testIds.notifications.actionError,
}: {
  error?: ApiError;
  title?: string;
  testId?: string;
}) =>
  error ? (
    <div data-testid={testId}>
      <Alert severity={error.kind === 'forbidden' ? 'warning' : 'error'} title={title}>
        {error.message}
      </Alert>
    </div>
  ) : null;

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** `vm_ct` → `VM / CT`, `health` → `Health`. */
export const groupLabel = (g: string) =>
  g === 'vm_ct' ? 'VM / CT' : g.charAt(0).toUpperCase() + g.slice(1).replace(/_/g, ' ');
