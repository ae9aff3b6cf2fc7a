import React, { type ReactNode } from 'react';
import { Alert, Button, EmptyState, LoadingPlaceholder } from '@grafana/ui';
import type { ApiError } from '../api/client';
import type { AsyncState } from '../api/useApi';
import { testIds } from './testIds';

// The shared loading, empty, error and forbidden renderers: every page shows these states the same way.

export const PageLoading = ({ text = 'Loading…' }: { text?: string }) => (
  <div data-testid={testIds.pageState.loading}>
    <LoadingPlaceholder text={text} />
  </div>
);

export const PageEmpty = ({ message, children }: { message: string; children?: ReactNode }) => (
  <div data-testid={testIds.pageState.empty}>
    <EmptyState variant="not-found" message={message} hideImage>
      {children}
    </EmptyState>
  </div>
);

export const PageForbidden = ({ error }: { error?: ApiError }) => (
  <div data-testid={testIds.pageState.forbidden}>
    <Alert severity="warning" title="Not allowed">
      <div>
        {error?.code === 'route_denied'
          ? 'Your Grafana role may not do this; ask a Grafana admin.'
          : 'The exporter token this app uses lacks the scope for this; a Grafana admin can set a token with more scopes on the app configuration page.'}
      </div>
      {error ? <div>{error.message}</div> : null}
    </Alert>
  </div>
);

const hints: Partial<Record<ApiError['kind'], string>> = {
  unauthorized: 'The exporter refused the token: check the tokens on the app configuration page.',
  network: 'Check the exporter URL on the app configuration page and that the exporter runs.',
  'no-route': 'The app has no route for this request; is the installed plugin older than this page?',
};

export const PageError = ({
  error,
  title,
  onRetry,
}: {
  error: ApiError;
  title?: string;
  onRetry?: () => void;
}) => {
  if (error.kind === 'forbidden') {
    return <PageForbidden error={error} />;
  }
  return (
    <div data-testid={testIds.pageState.error}>
      <Alert severity="error" title={title ?? 'Could not load'}>
        <div>{error.message}</div>
        {hints[error.kind] ? <div>{hints[error.kind]}</div> : null}
        {onRetry ? (
          <Button
            size="sm"
            variant="secondary"
            icon="sync"
            onClick={onRetry}
            data-testid={testIds.pageState.retry}
          >
            Retry
          </Button>
        ) : null}
      </Alert>
    </div>
  );
};

/**
 * Loading until the first answer, then the error (or forbidden) state, then the empty state when
 * `isEmpty(data)`, else `children(data)`. A reload keeps the old data on screen.
 */
export function AsyncView<T>({
  state,
  children,
  isEmpty,
  emptyMessage = 'Nothing here yet.',
  errorTitle,
}: {
  state: AsyncState<T>;
  children: (data: T) => ReactNode;
  isEmpty?: (data: T) => boolean;
  emptyMessage?: string;
  errorTitle?: string;
}) {
  if (state.error) {
    return <PageError error={state.error} title={errorTitle} onRetry={state.reload} />;
  }
  if (state.data === undefined) {
    return <PageLoading />;
  }
  if (isEmpty?.(state.data)) {
    return <PageEmpty message={emptyMessage} />;
  }
  return <>{children(state.data)}</>;
}
