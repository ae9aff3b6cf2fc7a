import type { Logger } from 'pino';
import type { Exec } from './exec.js';
import type { ReadText } from './read.js';

/** Why a collection produced no value. `absent` is the quiet outcome: the tool or device is simply not there. */
export type SourceErrorKind = 'absent' | 'timeout' | 'exit' | 'parse' | 'io';

export interface SourceError {
  kind: SourceErrorKind;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: SourceError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (kind: SourceErrorKind, message: string): { ok: false; error: SourceError } => ({
  ok: false,
  error: { kind, message },
});

/** Filesystem roots, like node_exporter's --path.procfs/--path.sysfs/--path.rootfs. */
export interface HostPaths {
  procfs: string;
  sysfs: string;
  rootfs: string;
}

/** Everything a source may touch; handed in so tests can replace any of it. */
export interface SourceContext {
  paths: HostPaths;
  exec: Exec;
  readText: ReadText;
  /** Aborted when the source's timeout passes or the process shuts down. */
  signal: AbortSignal;
  now: () => number;
  logger: Logger;
}

export interface Source<T = unknown> {
  /** Stable name: the `source` label and the config key under `sources:`. */
  readonly name: string;
  /** Default cadence and hard deadline; both can be overridden in config. */
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  collect(ctx: SourceContext): Promise<Result<T>>;
}
