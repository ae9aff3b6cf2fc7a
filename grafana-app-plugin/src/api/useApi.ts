import { useCallback, useEffect, useState } from 'react';
import { ApiError, toApiError } from './client';

export interface AsyncState<T> {
  loading: boolean;
  error?: ApiError;
  data?: T;
  /** Loads again, keeping the old data on screen meanwhile. */
  reload: () => void;
}

/**
 * Runs `load` on mount, on reload() and whenever `deps` change. An answer that arrives after unmount or
 * after a newer load started is dropped.
 */
export function useApi<T>(load: () => Promise<T>, deps: readonly unknown[] = []): AsyncState<T> {
  const [state, setState] = useState<Omit<AsyncState<T>, 'reload'>>({ loading: true });
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stale = false;
    load().then(
      (data) => {
        if (!stale) {
          setState({ loading: false, data });
        }
      },
      (e: unknown) => {
        if (!stale) {
          setState((s) => ({ ...s, loading: false, error: toApiError(e) }));
        }
      },
    );
    return () => {
      stale = true;
    };
    // `load` is usually an inline closure; `deps` says when it means something new.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tick, ...deps]);

  const reload = useCallback(() => {
    setState((s) => ({ ...s, loading: true }));
    setTick((t) => t + 1);
  }, []);
  return { ...state, reload };
}
