import { spawn, type ChildProcess } from 'node:child_process';
import { parseJournalLine } from '../../health/logs/journal.js';
import { fingerprintOf, type NotificationEvent } from '../event.js';
import { DiskIoTiers, type DiskIoState } from './disk-io-tiers.js';
import { COUNT_EACH_LINE, detect } from './journal-detectors.js';

/** What the caller persists: where to resume, when that was known current, and the per-disk error counts. */
export interface JournalCheckpoint {
  cursor: string;
  /** Unix ms when the cursor was last known to be the newest entry read. */
  savedAtMs: number;
  diskIo: DiskIoState;
}

export interface JournalWatcherOptions {
  onEvent: (e: NotificationEvent) => void;
  /** Called with the newest checkpoint at most every `cursorSaveMs`, and on stop. */
  onCursor: (c: JournalCheckpoint) => void;
  /** The last persisted checkpoint; older than `maxCursorAgeMs` (or absent) means start at the end. */
  checkpoint?: JournalCheckpoint | undefined;
  /** Guest names for service failures of `pve-container@N` and friends. */
  guestName?: (vmid: number) => string | undefined;
  /** Why the follower stopped, restarted or skipped something; for the log. */
  onProblem?: (message: string) => void;
  journalctl?: string;
  /** Follow the journal files in this directory (`--directory`) or these files (`--file`); tests use them. */
  directory?: string;
  files?: readonly string[];
  now?: () => number;
  cursorSaveMs?: number;
  maxCursorAgeMs?: number;
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  dedupeWindowMs?: number;
  maxLineBytes?: number;
}

export const DEFAULT_JOURNAL_WATCHER = {
  cursorSaveMs: 10_000,
  maxCursorAgeMs: 15 * 60_000,
  restartDelayMs: 5_000,
  maxRestartDelayMs: 60_000,
  dedupeWindowMs: 30_000,
  maxLineBytes: 256 * 1024,
} as const;

export interface JournalWatcherStatus {
  running: boolean;
  /** The journalctl process now following, if any. */
  pid: number | undefined;
  restarts: number;
  entriesRead: number;
  malformedLines: number;
  /** Lines longer than maxLineBytes, skipped whole. */
  droppedLines: number;
  lastProblem: string | undefined;
}

export interface JournalWatcher {
  start(): void;
  /** Stops following (kills journalctl) and saves the checkpoint. */
  stop(): Promise<void>;
  checkpoint(): JournalCheckpoint | undefined;
  status(): JournalWatcherStatus;
}

/** Asked for explicitly: the fields the detectors read (journalctl adds the cursor and timestamps). */
const OUTPUT_FIELDS = 'MESSAGE,PRIORITY,_SYSTEMD_UNIT,SYSLOG_IDENTIFIER,_PID,_HOSTNAME,_BOOT_ID';
/** A journalctl that ran this long was healthy: the next death restarts after the base delay again. */
const HEALTHY_MS = 60_000;
/** A quiet journal still refreshes savedAtMs this often, so a restart after a crash resumes from the cursor. */
const HEARTBEAT_MS = 5 * 60_000;
const MAX_RECENT = 10_000;

/**
 * journalctl's arguments. `-f` shows the last 10 lines before following; after a cursor, `--no-tail`
 * makes it show everything after it (journalctl 252 otherwise stops after 10 there too); without a
 * cursor, `-n 0` starts at the end.
 */
export function followArgs(
  cursor: string | undefined,
  source: { directory?: string | undefined; files?: readonly string[] | undefined } = {},
): string[] {
  const args = ['-f', '-o', 'json', '--no-pager', `--output-fields=${OUTPUT_FIELDS}`];
  if (source.directory !== undefined) args.push(`--directory=${source.directory}`);
  for (const f of source.files ?? []) args.push(`--file=${f}`);
  if (cursor !== undefined) args.push(`--after-cursor=${cursor}`, '--no-tail');
  else args.push('-n', '0');
  return args;
}

/**
 * Follows the journal with a long-running `journalctl -f -o json` (spawned directly: Exec is for
 * bounded runs), turns each line into events (detect → disk I/O tiers → guest names → 30 s dedupe
 * of identical fingerprints) and hands them to onEvent. journalctl is restarted 5 s after it dies,
 * doubling to 60 s while it keeps dying.
 */
export function createJournalWatcher(options: JournalWatcherOptions): JournalWatcher {
  return new JournalFollower(options);
}

class JournalFollower implements JournalWatcher {
  private readonly o: Required<
    Omit<JournalWatcherOptions, 'checkpoint' | 'guestName' | 'onProblem' | 'directory' | 'files'>
  > &
    Pick<JournalWatcherOptions, 'guestName' | 'onProblem' | 'directory' | 'files'>;
  private readonly tiers: DiskIoTiers;
  private readonly recent = new Map<string, number>();
  private cursor: string | undefined;
  private cursorFreshAt = 0;
  private dirty = false;
  private lastSavedAt = 0;
  private stopped = true;
  private child: ChildProcess | undefined;
  private spawnedAt = 0;
  private partial = '';
  private discarding = false;
  private stderrTail = '';
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly counts = { restarts: 0, entriesRead: 0, malformedLines: 0, droppedLines: 0 };
  private lastProblem: string | undefined;

  constructor(options: JournalWatcherOptions) {
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.o = {
      ...DEFAULT_JOURNAL_WATCHER,
      journalctl: 'journalctl',
      now: Date.now,
      ...given,
    } as typeof this.o;
    this.tiers = new DiskIoTiers(options.checkpoint?.diskIo);
    if (
      options.checkpoint &&
      typeof options.checkpoint.cursor === 'string' &&
      options.checkpoint.cursor !== ''
    ) {
      this.cursor = options.checkpoint.cursor;
      this.cursorFreshAt = Number(options.checkpoint.savedAtMs) || 0;
    }
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.saveTimer = setInterval(() => this.save(false), this.o.cursorSaveMs);
    this.saveTimer.unref();
    this.spawnChild();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.saveTimer);
    const child = this.child;
    if (child) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(hard);
          resolve();
        };
        // SIGKILL if it ignores SIGTERM; give up waiting after that (a zombie must not hang shutdown).
        const hard = setTimeout(() => {
          child.kill('SIGKILL');
          setTimeout(done, 1_000).unref();
        }, 2_000);
        child.once('close', done);
        child.kill('SIGTERM');
      });
      this.child = undefined;
    }
    this.save(true);
  }

  checkpoint(): JournalCheckpoint | undefined {
    if (this.cursor === undefined) return undefined;
    return { cursor: this.cursor, savedAtMs: this.freshAt(), diskIo: this.tiers.state() };
  }

  status(): JournalWatcherStatus {
    return { running: !this.stopped, pid: this.child?.pid, ...this.counts, lastProblem: this.lastProblem };
  }

  /** While journalctl follows, the cursor is current now; otherwise as of when it last was. */
  private freshAt(): number {
    return this.child && this.child.exitCode === null ? this.o.now() : this.cursorFreshAt;
  }

  private spawnChild(): void {
    const now = this.o.now();
    if (this.cursor !== undefined && now - this.cursorFreshAt > this.o.maxCursorAgeMs) {
      const minutes = Math.round((now - this.cursorFreshAt) / 60_000);
      this.problem(`journal cursor is ${minutes} min old: following from the end`);
      this.cursor = undefined;
    }
    const usedCursor = this.cursor;
    const child = spawn(this.o.journalctl, followArgs(usedCursor, this.o), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LANG: 'C', SYSTEMD_COLORS: '0' },
    });
    this.child = child;
    this.spawnedAt = now;
    this.partial = '';
    this.discarding = false;
    this.stderrTail = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.onData(child, chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2048);
    });
    let ended = false;
    const end = (why: string) => {
      if (ended) return;
      ended = true;
      this.onEnd(child, usedCursor, why);
    };
    child.on('error', (err) => end(err.message));
    child.on('close', (code, signal) =>
      end(signal ? `was killed by ${signal}` : `exited with status ${code}`),
    );
  }

  private onEnd(child: ChildProcess, usedCursor: string | undefined, why: string): void {
    if (child !== this.child) return;
    this.child = undefined;
    if (this.cursor !== undefined) this.cursorFreshAt = this.o.now();
    if (this.stopped) return;
    const stderr = this.stderrTail.trim().split('\n', 1)[0] ?? '';
    if (usedCursor !== undefined && this.cursor === usedCursor && /cursor/i.test(stderr)) {
      this.problem(`journalctl refused the saved cursor (${stderr}): following from the end`);
      this.cursor = undefined;
    } else {
      this.problem(`journalctl ${why}${stderr ? `: ${stderr}` : ''}`);
    }
    this.failures = this.o.now() - this.spawnedAt >= HEALTHY_MS ? 1 : this.failures + 1;
    const delay = Math.min(this.o.maxRestartDelayMs, this.o.restartDelayMs * 2 ** (this.failures - 1));
    this.counts.restarts++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopped) this.spawnChild();
    }, delay);
    this.restartTimer.unref();
  }

  /** Splits stdout into lines; a line over maxLineBytes is dropped whole rather than buffered without bound. */
  private onData(child: ChildProcess, chunk: string): void {
    if (child !== this.child || this.stopped) return;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl === -1) break;
      const line = this.partial + chunk.slice(start, nl);
      this.partial = '';
      start = nl + 1;
      if (this.discarding) this.discarding = false;
      else this.onLine(line);
      if (this.stopped) return;
    }
    const rest = chunk.slice(start);
    if (this.discarding) return;
    if (this.partial.length + rest.length > this.o.maxLineBytes) {
      this.partial = '';
      this.discarding = true;
      this.counts.droppedLines++;
    } else {
      this.partial += rest;
    }
  }

  private onLine(line: string): void {
    if (line.trim() === '') return;
    const entry = parseJournalLine(line);
    if (!entry) {
      this.counts.malformedLines++;
      return;
    }
    this.counts.entriesRead++;
    try {
      for (const raw of detect(entry)) {
        const e = this.tiers.observe(raw);
        if (e) this.emit(this.withGuestName(e));
      }
    } catch (err) {
      this.problem(`journal line not handled: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.cursor = entry.cursor;
    this.cursorFreshAt = this.o.now();
    this.dirty = true;
  }

  private withGuestName(e: NotificationEvent): NotificationEvent {
    const vmid = e.fields.vmid;
    if (!this.o.guestName || typeof vmid !== 'number' || e.fields.vmname !== undefined) return e;
    const name = this.o.guestName(vmid);
    return name === undefined ? e : { ...e, fields: { ...e.fields, vmname: name } };
  }

  private emit(e: NotificationEvent): void {
    if (!COUNT_EACH_LINE.has(e.type)) {
      const key = fingerprintOf(e);
      const last = this.recent.get(key);
      if (last !== undefined && Math.abs(e.at - last) < this.o.dedupeWindowMs) return;
      this.recent.set(key, e.at);
      if (this.recent.size > MAX_RECENT) this.pruneRecent(e.at);
    }
    try {
      this.o.onEvent(e);
    } catch (err) {
      this.problem(`onEvent failed for ${e.type}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private pruneRecent(at: number): void {
    for (const [key, t] of this.recent)
      if (Math.abs(at - t) >= this.o.dedupeWindowMs) this.recent.delete(key);
    // Still full (a flood of distinct fingerprints within the window): forget the oldest half.
    if (this.recent.size > MAX_RECENT)
      for (const key of [...this.recent.keys()].slice(0, this.recent.size / 2)) this.recent.delete(key);
  }

  private save(force: boolean): void {
    if (this.cursor === undefined) return;
    const now = this.o.now();
    if (!force && !this.dirty && now - this.lastSavedAt < HEARTBEAT_MS) return;
    const checkpoint = this.checkpoint();
    if (!checkpoint) return;
    this.dirty = false;
    this.lastSavedAt = now;
    try {
      this.o.onCursor(checkpoint);
    } catch (err) {
      this.dirty = true;
      this.problem(`saving the journal cursor failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private problem(message: string): void {
    this.lastProblem = message;
    this.o.onProblem?.(message);
  }
}
