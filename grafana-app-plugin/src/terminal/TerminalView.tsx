import React, { useCallback, useEffect, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { GrafanaTheme2 } from '@grafana/data';
import { config } from '@grafana/runtime';
import { Alert, Badge, type BadgeColor, Button, Stack, useStyles2, useTheme2 } from '@grafana/ui';
import { testIds } from '../components/testIds';
import { TerminalConnection, type TerminalStatus } from './connection';
import type { TerminalTarget } from './protocol';
import { requestTicket } from './ticket';
import { directWsUrl, proxyWsUrl, validateDirectUrl } from './urls';

export interface TerminalViewProps {
  target: TerminalTarget;
  /** The exporter's URL for a direct connection (the fallback); empty: through Grafana's plugin proxy. */
  directUrl?: string;
  /** Send the ticket as `?ticket=` instead of a subprotocol (for a proxy that drops the header). */
  ticketInQuery?: boolean;
  fontSize?: number;
  /** Connect on mount and whenever the target changes; otherwise the Connect button does. */
  autoConnect?: boolean;
}

const ids = testIds.terminal;

export const targetLabel = (t: TerminalTarget) =>
  t.kind === 'lxc' ? `container ${t.vmid} console` : 'host shell';

function xtermTheme(theme: GrafanaTheme2): ITheme {
  return {
    background: theme.colors.background.canvas,
    foreground: theme.colors.text.primary,
    cursor: theme.colors.text.primary,
    cursorAccent: theme.colors.background.canvas,
    selectionBackground: theme.colors.action.selected,
  };
}

/** Fitting measures the DOM; a hidden or detached element cannot be measured, which is not an error. */
function safeFit(fit: FitAddon): void {
  try {
    fit.fit();
  } catch {
    // retried on the next resize
  }
}

/** A line in the terminal itself, dimmed, so the scrollback shows where a session ended or began. */
function notice(term: Terminal, text: string): void {
  term.write(`\r\n\x1b[2m[proxmon] ${text}\x1b[0m\r\n`);
}

const statusBadge: Record<TerminalStatus['state'], { color: BadgeColor; text: string }> = {
  idle: { color: 'blue', text: 'Not connected' },
  connecting: { color: 'orange', text: 'Connecting' },
  connected: { color: 'green', text: 'Connected' },
  reconnecting: { color: 'orange', text: 'Reconnecting' },
  closed: { color: 'red', text: 'Closed' },
};

function statusText(s: TerminalStatus): string {
  switch (s.state) {
    case 'idle':
      return 'Press Connect to open a session.';
    case 'connecting':
      return s.attempt > 1 ? `attempt ${s.attempt}…` : '…';
    case 'connected':
      return `${s.target === 'shell' ? 'host shell' : s.target} (session ${s.sessionId.slice(0, 8)})`;
    case 'reconnecting':
      return `${s.reason}; trying again in ${Math.ceil(s.inMs / 1000)} s (attempt ${s.attempt})`;
    case 'closed':
      return s.reason;
  }
}

/**
 * An xterm.js terminal joined to the exporter's /api/terminal/ws: fitted to its box (ResizeObserver),
 * with a status line, Connect/Disconnect, reconnect with backoff, and the terminal and socket disposed
 * on unmount. Used by the Terminal page and the terminal panel.
 */
export function TerminalView({
  target,
  directUrl,
  ticketInQuery,
  fontSize = 14,
  autoConnect,
}: TerminalViewProps) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const hostRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | undefined>(undefined);
  const fitRef = useRef<FitAddon | undefined>(undefined);
  const connRef = useRef<TerminalConnection | undefined>(undefined);
  const [status, setStatus] = useState<TerminalStatus>({ state: 'idle' });
  const [startError, setStartError] = useState<string>();
  /** A session was open in this terminal before: the next one is announced in the scrollback. */
  const hadSession = useRef(false);

  const directError = validateDirectUrl(directUrl);
  const targetKey = target.kind === 'lxc' ? `lxc/${target.vmid}` : 'shell';

  // The terminal lives as long as the component; sessions come and go inside it.
  useEffect(() => {
    const host = hostRef.current;
    if (!host) {
      return;
    }
    let term: Terminal;
    let fit: FitAddon;
    try {
      term = new Terminal({
        fontSize,
        fontFamily: theme.typography.fontFamilyMonospace,
        cursorBlink: true,
        scrollback: 5000,
        theme: xtermTheme(theme),
      });
      fit = new FitAddon();
      term.loadAddon(fit);
      term.open(host);
    } catch (e) {
      // Only xterm's open() can tell, here, once per mount.
      // eslint-disable-next-line react-hooks/set-state-in-effect
      setStartError(e instanceof Error ? e.message : String(e));
      return;
    }
    termRef.current = term;
    fitRef.current = fit;
    safeFit(fit);
    const subs = [
      term.onData((d) => connRef.current?.send(d)),
      // Some mouse reports: one byte per character.
      term.onBinary((b) => connRef.current?.send(Uint8Array.from(b, (c) => c.charCodeAt(0) & 0xff))),
      term.onResize(({ cols, rows }) => connRef.current?.resize(cols, rows)),
    ];
    let frame = 0;
    const refit = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => safeFit(fit));
    };
    const observer = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(refit);
    if (observer) {
      observer.observe(host);
    } else {
      window.addEventListener('resize', refit);
    }
    return () => {
      // Forget the terminal first, so the closing connection's status does not write into it.
      termRef.current = undefined;
      fitRef.current = undefined;
      observer?.disconnect();
      window.removeEventListener('resize', refit);
      cancelAnimationFrame(frame);
      connRef.current?.stop();
      connRef.current = undefined;
      subs.forEach((s) => s.dispose());
      term.dispose();
    };
    // Created once; theme and font size are applied to the live terminal below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const term = termRef.current;
    if (term) {
      term.options.theme = xtermTheme(theme);
      term.options.fontSize = fontSize;
      term.options.fontFamily = theme.typography.fontFamilyMonospace;
      if (fitRef.current) {
        safeFit(fitRef.current);
      }
    }
  }, [theme, fontSize]);

  const connect = useCallback(() => {
    const term = termRef.current;
    if (!term || directError) {
      return;
    }
    connRef.current?.stop();
    const conn = new TerminalConnection({
      url: () => (directUrl ? directWsUrl(directUrl) : proxyWsUrl(window.location, config.appSubUrl ?? '')),
      ticket: requestTicket,
      ticketInQuery,
      target: targetKey === 'shell' ? { kind: 'shell' } : { kind: 'lxc', vmid: Number(targetKey.slice(4)) },
      size: () => ({ cols: term.cols, rows: term.rows }),
      onOutput: (bytes) => term.write(bytes),
      onStatus: (s) => {
        if (connRef.current !== conn || termRef.current !== term) {
          return;
        }
        setStatus(s);
        if (s.state === 'connected') {
          if (hadSession.current) {
            notice(term, `new session: ${statusText(s)}`);
          }
          hadSession.current = true;
        } else if (hadSession.current && (s.state === 'closed' || s.state === 'reconnecting')) {
          notice(term, statusText(s));
        }
      },
    });
    connRef.current = conn;
    conn.start();
    term.focus();
  }, [targetKey, directUrl, ticketInQuery, directError]);

  const disconnect = useCallback(() => {
    connRef.current?.stop('disconnected');
  }, []);

  // A new target (or endpoint) is a new session: end the old one; reconnect by itself if asked to.
  useEffect(() => {
    if (autoConnect) {
      connect();
    }
    return () => {
      const conn = connRef.current;
      connRef.current = undefined;
      conn?.stop();
      setStatus({ state: 'idle' });
    };
  }, [connect, autoConnect]);

  const live =
    status.state === 'connected' || status.state === 'connecting' || status.state === 'reconnecting';
  const badge = statusBadge[status.state];

  return (
    <div className={styles.wrapper} data-testid={ids.view}>
      <div className={styles.bar}>
        <div className={styles.status} data-testid={ids.status} data-state={status.state}>
          <Badge color={badge.color} text={badge.text} />
          <span className={styles.statusText}>{statusText(status)}</span>
        </div>
        <Stack direction="row" gap={1}>
          {status.state === 'reconnecting' ? (
            <Button size="sm" variant="secondary" icon="sync" onClick={connect} data-testid={ids.reconnect}>
              Reconnect now
            </Button>
          ) : null}
          {live ? (
            <Button
              size="sm"
              variant="secondary"
              icon="times"
              onClick={disconnect}
              data-testid={ids.disconnect}
            >
              Disconnect
            </Button>
          ) : (
            <Button
              size="sm"
              variant="primary"
              icon={status.state === 'closed' ? 'sync' : 'play'}
              onClick={connect}
              disabled={!!startError || !!directError}
              data-testid={ids.connect}
            >
              {status.state === 'closed' ? 'Reconnect' : 'Connect'}
            </Button>
          )}
        </Stack>
      </div>
      {directError ? (
        <Alert severity="error" title="Invalid direct terminal URL" data-testid={ids.directUrlError}>
          {directError}
        </Alert>
      ) : null}
      {startError ? (
        <Alert severity="error" title="The terminal could not start in this browser">
          {startError}
        </Alert>
      ) : null}
      <div
        className={styles.screen}
        ref={hostRef}
        data-testid={ids.screen}
        aria-label={`Terminal: ${targetLabel(target)}`}
      />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
    height: '100%',
    minHeight: 0,
  }),
  bar: css({
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(1),
    flexWrap: 'wrap',
  }),
  status: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    minWidth: 0,
  }),
  statusText: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  }),
  screen: css({
    flex: 1,
    minHeight: 120,
    padding: theme.spacing(0.5),
    background: theme.colors.background.canvas,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    overflow: 'hidden',
    // xterm sizes its rows to this box; the fit addon reads the inner size.
    '& .xterm': { height: '100%' },
  }),
});
