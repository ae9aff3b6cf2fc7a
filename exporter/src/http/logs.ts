import { Router } from 'express';
import type { z } from 'zod';
import type { JournalEntry } from '../health/logs/journal.js';
import {
  countLogs,
  DEFAULT_JOURNAL_QUERY,
  readLogPage,
  type JournalQueryOptions,
  type LogPage,
  type PageResult,
  noEntries,
} from '../logs/journal-query.js';
import { downloadArgs, PRIORITY_NAMES } from '../logs/query.js';
import type { PveAccess } from '../pve/index.js';
import type { Exec } from '../sources/exec.js';
import type { Result } from '../sources/source.js';
import { errors } from './errors.js';
import {
  logEntrySchema,
  logsCountsQuery,
  logsCountsResponse,
  logsDownloadQuery,
  logsQuery,
  logsResponse,
  taskLogTextQuery,
} from './logs-schema.js';
import { rawGetRoute } from './raw-route.js';
import { ApiRouter } from './route.js';
import { readTaskLog } from './task-log.js';
import { streamToolOutput } from './text-stream.js';

export interface LogsRouterDeps {
  exec: Exec;
  pve: PveAccess;
  /**
   * The journalctl executable (config `tools.journalctl`, else found on PATH). The download streams,
   * so it spawns the tool itself rather than through Exec, which buffers.
   */
  journalctl?: string;
  /** Read this directory's journal files instead of the system journal (tests, a copied journal). */
  directory?: string;
  /** Lines in one download at most. */
  downloadMaxLines?: number;
  downloadTimeoutMs?: number;
  /** Deadline of a listing or count. */
  timeoutMs?: number;
  now?: () => number;
}

const DAY_MS = 86_400_000;
const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function entryView(e: JournalEntry): z.input<typeof logEntrySchema> {
  return {
    cursor: e.cursor,
    time: new Date(e.timeMs).toISOString(),
    priority: nul(e.priority),
    priority_name: e.priority === undefined ? null : (PRIORITY_NAMES[e.priority] ?? null),
    unit: nul(e.unit),
    identifier: nul(e.identifier),
    pid: nul(e.pid),
    hostname: nul(e.hostname),
    boot_id: nul(e.bootId),
    message: nul(e.message),
  };
}

function journalValue<T>(r: PageResult | Result<T>): T {
  if (r.ok) return r.value as T;
  if (r.error.kind === 'cursor') throw errors.validation('query.cursor: not a cursor of this journal');
  if (r.error.kind === 'absent')
    throw errors.unavailable('journalctl is not installed: no systemd journal here');
  if (r.error.kind === 'timeout')
    throw errors.unavailable(`the journal did not answer in time: ${r.error.message}`);
  throw errors.unavailable(`cannot read the journal: ${r.error.message}`);
}

function checkWindow(since: number | undefined, until: number | undefined) {
  if (since !== undefined && until !== undefined && until < since)
    throw errors.validation('query.until: before since');
}

/** The systemd journal (list, counts, download) and Proxmox VE task logs as text. */
export function createLogsRouter(deps: LogsRouterDeps): ApiRouter {
  const { exec, pve } = deps;
  const now = deps.now ?? Date.now;
  const options: JournalQueryOptions = {
    ...DEFAULT_JOURNAL_QUERY,
    ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
    ...(deps.directory !== undefined ? { directory: deps.directory } : {}),
  };
  const api = new ApiRouter('/api', Router(), 'logs');

  api.route(
    {
      method: 'get',
      path: '/logs',
      auth: 'read',
      summary: 'Journal entries, newest first, by priority, unit, time and text; page on with next_cursor',
      query: logsQuery,
      response: logsResponse,
    },
    async ({ query }) => {
      checkWindow(query.since, query.until);
      const r = await readLogPage(
        exec,
        {
          maxPriority: query.priority,
          unit: query.unit,
          sinceMs: query.since,
          untilMs: query.until,
          text: query.text,
        },
        { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) },
        options,
      );
      const page = journalValue<LogPage>(r);
      return {
        entries: page.entries.map(entryView),
        next_cursor: page.more ? (page.entries.at(-1)?.cursor ?? null) : null,
        malformed: page.malformed,
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/logs/counts',
      auth: 'read',
      summary: 'Journal entries per priority since a time (default the last 24 hours)',
      query: logsCountsQuery,
      response: logsCountsResponse,
    },
    async ({ query }) => {
      const since = query.since ?? now() - DAY_MS;
      checkWindow(since, query.until);
      const counts = journalValue(
        await countLogs(
          exec,
          { sinceMs: since, untilMs: query.until, unit: query.unit, text: query.text },
          options,
        ),
      );
      const p = counts.byPriority;
      const at = (i: number) => p[i] ?? 0;
      return {
        since: new Date(since).toISOString(),
        until: query.until === undefined ? null : new Date(query.until).toISOString(),
        total: p.reduce((a, b) => a + b, 0) + counts.other,
        by_priority: Object.fromEntries(PRIORITY_NAMES.map((name, i) => [name, at(i)])) as Record<
          (typeof PRIORITY_NAMES)[number],
          number
        >,
        errors: at(0) + at(1) + at(2) + at(3),
        warnings: at(4),
        info: at(5) + at(6),
        debug: at(7),
      };
    },
  );

  rawGetRoute(
    api,
    {
      path: '/logs/download',
      auth: 'read',
      summary:
        'The journal as plain text (oldest first, ISO timestamps), streamed; default the last 24 hours',
      query: logsDownloadQuery,
      describes:
        'text/plain; a closing `-- ... --` line says why the text stopped early (line limit, deadline, failure)',
    },
    async ({ query, res }) => {
      const since = query.since ?? now() - DAY_MS;
      checkWindow(since, query.until);
      const args = downloadArgs(
        {
          maxPriority: query.priority,
          unit: query.unit,
          sinceMs: since,
          untilMs: query.until,
          text: query.text,
        },
        options,
      );
      const stamp = new Date(now()).toISOString().replace(/[:.]/g, '-');
      await streamToolOutput(res, {
        command: deps.journalctl ?? 'journalctl',
        args,
        timeoutMs: deps.downloadTimeoutMs ?? 120_000,
        maxLines: deps.downloadMaxLines ?? 200_000,
        filename: `journal-${stamp}.log`,
        okWhen: (code, stderr) => noEntries(args, code, stderr),
      });
    },
  );

  rawGetRoute(
    api,
    {
      path: '/task-log/:upid',
      auth: 'read',
      summary: 'The log of one Proxmox VE task as plain text, by UPID',
      query: taskLogTextQuery,
      describes: 'text/plain: the task log, one line per line',
    },
    async ({ params, query, res }) => {
      const { upid, lines } = await readTaskLog(pve, params.upid, query);
      res.status(200);
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      if (query.download === '1')
        res.setHeader(
          'Content-Disposition',
          `attachment; filename="${upid.replace(/[^A-Za-z0-9._-]/g, '_')}.log"`,
        );
      res.end(lines.length ? `${lines.join('\n')}\n` : '');
    },
  );
  return api;
}
