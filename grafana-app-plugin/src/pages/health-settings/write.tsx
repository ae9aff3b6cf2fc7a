import React, { useCallback, useState } from 'react';
import { Alert } from '@grafana/ui';
import { ApiError, toApiError } from '../../api/client';

/** What every section gets from the page: whether it may write, and how to report a refused write. */
export interface Access {
  readOnly: boolean;
  /** A write came back 403 (Grafana's route role or the token's scope): the whole page turns read-only. */
  onForbidden: (error: ApiError) => void;
}

export type WriteResult = { ok: true; message: string } | { ok: false; error: ApiError };

/**
 * Runs a section's writes one at a time and keeps the outcome to show. A 403 is handed to the page
 * (onForbidden) as well, since every other write would be refused the same way.
 */
export function useWrite(onForbidden: Access['onForbidden']) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<WriteResult>();

  const run = useCallback(
    async <T,>(call: () => Promise<T>, success: string): Promise<T | undefined> => {
      setBusy(true);
      setResult(undefined);
      try {
        const value = await call();
        setResult({ ok: true, message: success });
        return value;
      } catch (e) {
        const error = toApiError(e);
        if (error.kind === 'forbidden') {
          onForbidden(error);
        }
        setResult({ ok: false, error });
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [onForbidden],
  );

  /** Shows a refusal by the page's own checks the way the exporter's would be shown; nothing is sent. */
  const refuse = useCallback(
    (message: string) => setResult({ ok: false, error: new ApiError(0, 'invalid', message, 'validation') }),
    [],
  );
  const clear = useCallback(() => setResult(undefined), []);
  return { busy, result, run, refuse, clear };
}

/** A section's last write: "Saved …" or what went wrong. */
export function WriteStatus({
  result,
  testId,
  onClose,
}: {
  result?: WriteResult;
  testId: string;
  onClose: () => void;
}) {
  if (!result) {
    return null;
  }
  return (
    <div data-testid={testId}>
      {result.ok ? (
        <Alert severity="success" title={result.message} onRemove={onClose} />
      ) : (
        <Alert
          severity={result.error.kind === 'forbidden' ? 'warning' : 'error'}
          title={result.error.kind === 'forbidden' ? 'Not allowed' : 'Not saved'}
          onRemove={onClose}
        >
          {result.error.message}
        </Alert>
      )}
    </div>
  );
}
