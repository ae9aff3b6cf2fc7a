import React, { type ComponentProps, useCallback, useState } from 'react';
import { Alert, Field, Input } from '@grafana/ui';
import { type ApiError, toApiError } from '../../api/client';
import { testIds } from '../../components/testIds';

/** The outcome of a tab's last action: what succeeded, or why it did not. */
export type Outcome = { ok: true; message: string } | { ok: false; error: ApiError };

export const OutcomeAlert = ({ tab, outcome }: { tab: string; outcome?: Outcome }) =>
  outcome ? (
    <div data-testid={testIds.security.result(tab)}>
      {outcome.ok ? (
        <Alert severity="success" title={outcome.message} />
      ) : (
        <Alert severity={outcome.error.kind === 'forbidden' ? 'warning' : 'error'} title="That did not work">
          {outcome.error.message}
        </Alert>
      )}
    </div>
  ) : null;

/**
 * Runs one action at a time for a tab: `busy` while it runs, then its outcome. `run` resolves to
 * whether the action succeeded.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const run = useCallback(async (action: () => Promise<string | undefined>): Promise<boolean> => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const message = await action();
      setOutcome(message ? { ok: true, message } : undefined);
      return true;
    } catch (e) {
      setOutcome({ ok: false, error: toApiError(e) });
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, outcome, run, clear: () => setOutcome(undefined) };
}

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** A labelled text input and the problem found in it, if any (the forms show them once submitted). */
export function TextField({
  label,
  description,
  error,
  required,
  onChange,
  testId,
  ...input
}: {
  label: string;
  description?: string;
  error?: string;
  required?: boolean;
  value: string;
  onChange: (value: string) => void;
  testId: string;
} & Pick<ComponentProps<typeof Input>, 'type' | 'width' | 'placeholder' | 'autoComplete' | 'inputMode'>) {
  return (
    <Field label={label} description={description} invalid={!!error} error={error} required={required}>
      <Input {...input} onChange={(e) => onChange(e.currentTarget.value)} data-testid={testId} />
    </Field>
  );
}
