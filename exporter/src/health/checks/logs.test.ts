import { describe, expect, it } from 'vitest';
import { analyzeLogs, DEFAULT_LOG_ANALYSIS_OPTIONS } from '../logs/analyze.js';
import type { JournalEntry } from '../logs/journal.js';
import { classifyEntry, type LogLine } from '../logs/patterns.js';
import { defaultThresholds, type Thresholds } from '../thresholds.js';
import { healthInputs, journalEntries, T0, thresholdsWith } from './fixtures/host-inputs.js';
import { checkLogs, logAnalysisOptions } from './logs.js';

const ioErrors = journalEntries('journalctl-json-io-errors-constructed.jsonl');
const guests = journalEntries('journalctl-json-guests-constructed.jsonl');

const classified = (entries: readonly JournalEntry[]): LogLine[] =>
  entries.map((e) => classifyEntry(e)).filter((v): v is LogLine => typeof v === 'object');

/** What the cycle does: one analyzer step over the fixture with the thresholds mapped, then the check. */
function step(
  entries: readonly JournalEntry[],
  now: number,
  t: Thresholds = defaultThresholds(),
  previous: LogLine[] = [],
) {
  const lines = classified(entries);
  const windowMs = DEFAULT_LOG_ANALYSIS_OPTIONS.windowMs;
  const analysis = analyzeLogs(
    {
      current: lines.filter((l) => l.timeMs > now - windowMs && l.timeMs <= now),
      previous,
      fresh: lines,
      state: new Map(),
      now,
    },
    { ...DEFAULT_LOG_ANALYSIS_OPTIONS, ...logAnalysisOptions(t) },
  );
  return checkLogs(
    healthInputs({ now, thresholds: t, extras: { logs: { findings: analysis.findings, rows: [] } } }),
  );
}

const checks = (r: ReturnType<typeof checkLogs>) => r.findings.map((f) => [f.check, f.severity]);
const AFTER_IO = T0 + 4 * 60_000;

describe('checkLogs over an analyzer step on recorded journal lines', () => {
  it('is WARNING for 16 I/O errors in 4 minutes: a cascade and a spike', () => {
    const r = step(ioErrors, AFTER_IO);
    expect(checks(r)).toEqual([
      ['log_error_cascade', 'WARNING'],
      ['log_error_spike', 'WARNING'],
    ]);
    expect(
      r.rows.map((row) => [row.check, row.status, row.errorKey?.replace(/[0-9a-f]{8}$/, '<hash>')]),
    ).toEqual([
      ['log_error_cascade', 'WARNING', 'log_cascade_<hash>'],
      ['log_error_spike', 'WARNING', 'log_error_spike'],
      ['log_critical_errors', 'OK', undefined],
      ['log_persistent_errors', 'OK', undefined],
    ]);
    expect(r.rows[0]).toMatchObject({
      value: 16,
      reason: expect.stringMatching(
        /^The same error 16 times in the last 5 min: kernel: blk_update_request: I\/O error, dev sdb/,
      ),
    });
  });

  it('is CRITICAL for the OOM kill in the guest journal', () => {
    const r = step(guests, T0 + 6 * 60_000);
    expect(r.findings[0]).toMatchObject({
      check: 'log_critical_errors',
      severity: 'CRITICAL',
      category: 'logs',
    });
    expect(r.findings.filter((f) => f.severity === 'CRITICAL').map((f) => f.reason)).toContain(
      'once in the last 5 min: kernel: Out of memory: Killed process 5123 (kvm) total-vm:9012345kB, anon-rss:8123456kB, file-rss:2048kB, shmem-rss:0kB, UID:0 pgtables:17000kB oom_score_adj:0',
    );
  });

  it('is CRITICAL for the recorded kernel panic line', () => {
    const entries = journalEntries('../../logs/fixtures/journalctl-json-edge-cases.jsonl');
    const now = Math.max(...entries.map((e) => e.timeMs)) + 1000;
    expect(checks(step(entries, now))).toContainEqual(['log_critical_errors', 'CRITICAL']);
  });

  it('passes findings through untouched and keeps the analysis rows', () => {
    const finding = {
      errorKey: 'log_critical_0badc0de',
      category: 'logs' as const,
      check: 'log_critical_errors',
      severity: 'CRITICAL' as const,
      reason: 'once in the last 5 min: kernel: Kernel panic - not syncing',
      details: { hash: '0badc0de', count: 1 },
    };
    const own = {
      check: 'log_critical_errors',
      status: 'CRITICAL' as const,
      reason: 'from the analysis',
      errorKey: finding.errorKey,
    };
    const r = checkLogs(healthInputs({ extras: { logs: { findings: [finding], rows: [own] } } }));
    expect(r.findings).toEqual([finding]);
    expect(r.rows).toEqual([
      own,
      {
        check: 'log_error_cascade',
        status: 'OK',
        reason: 'No error repeating as a cascade in the last 5 min',
      },
      { check: 'log_error_spike', status: 'OK', reason: 'No spike of errors in the last 5 min' },
      { check: 'log_persistent_errors', status: 'OK', reason: 'No error pattern persisting across cycles' },
    ]);
    const derived = checkLogs(healthInputs({ extras: { logs: { findings: [finding], rows: [] } } }));
    expect(derived.rows[0]).toEqual({
      check: 'log_critical_errors',
      resource: '0badc0de',
      status: 'CRITICAL',
      reason: finding.reason,
      errorKey: finding.errorKey,
      value: 1,
    });
  });

  it('is UNKNOWN with the reason when the journal could not be read or was not analysed', () => {
    expect(checkLogs(healthInputs({ extras: { logs: { unknown: 'journalctl: not installed' } } }))).toEqual({
      category: 'logs',
      rows: [],
      findings: [],
      unknown: 'journalctl: not installed',
    });
    expect(checkLogs(healthInputs()).unknown).toBe('the journal was not analysed this cycle');
  });
});

describe('the logs thresholds reach the analysis', () => {
  it('maps every logs threshold', () => {
    expect(logAnalysisOptions(defaultThresholds())).toEqual({
      cascadeMinCount: 15,
      spikeMinCount: 5,
      spikeRatio: 4,
      persistentMinCount: 3,
      persistentMinSpanMs: 900_000,
    });
  });

  it('cascade_count', () => {
    const t = thresholdsWith((x) => (x.logs.cascade_count = 17));
    expect(checks(step(ioErrors, AFTER_IO, t))).toEqual([['log_error_spike', 'WARNING']]);
  });

  it('spike_count', () => {
    const t = thresholdsWith((x) => (x.logs.spike_count = 17));
    expect(checks(step(ioErrors, AFTER_IO, t))).toEqual([['log_error_cascade', 'WARNING']]);
  });

  it('spike_factor', () => {
    // As many the 5 minutes before: not 4 times as many, but 1 times.
    const before = classified(ioErrors).map((l) => ({ ...l, timeMs: l.timeMs - 5 * 60_000 }));
    expect(checks(step(ioErrors, AFTER_IO, defaultThresholds(), before)).map(([c]) => c)).not.toContain(
      'log_error_spike',
    );
    const t = thresholdsWith((x) => (x.logs.spike_factor = 1));
    expect(checks(step(ioErrors, AFTER_IO, t, before)).map(([c]) => c)).toContain('log_error_spike');
  });

  it('persistent_seconds and persistent_count', () => {
    const short = thresholdsWith((x) => (x.logs.persistent_seconds = 200));
    expect(checks(step(ioErrors, AFTER_IO, short)).map(([c]) => c)).toContain('log_persistent_errors');
    expect(checks(step(ioErrors, AFTER_IO)).map(([c]) => c)).not.toContain('log_persistent_errors');
    const many = thresholdsWith((x) => {
      x.logs.persistent_seconds = 200;
      x.logs.persistent_count = 17;
    });
    expect(checks(step(ioErrors, AFTER_IO, many)).map(([c]) => c)).not.toContain('log_persistent_errors');
  });
});
