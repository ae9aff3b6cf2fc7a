import { commandFailed } from '../sources/smart/exit-status.js';
import { arr, at, count, extractJson, num, obj, str, type Json } from '../sources/smart/json.js';
import type { DiskProtocol } from '../sources/smart/types.js';
import { ok, type Result } from '../sources/source.js';
import type {
  SelfTestEntry,
  SelfTestKind,
  SelfTestLogReply,
  SelfTestProgress,
  SelfTestStart,
  SelfTestStatus,
} from './types.js';

const ratio = (percent: number | undefined): number | undefined =>
  percent === undefined || percent < 0 || percent > 100 ? undefined : percent / 100;

/** A test's kind from its code where the protocol's table is known, else from smartctl's words. */
function kindOf(code: number | undefined, text: string | undefined, table: Record<number, SelfTestKind>) {
  const byCode = code === undefined ? undefined : table[code];
  if (byCode) return byCode;
  const t = (text ?? '').toLowerCase();
  if (t.includes('short')) return 'short';
  if (t.includes('extended') || t.includes('long')) return 'long';
  if (t.includes('conveyance')) return 'conveyance';
  if (t.includes('selective')) return 'selective';
  if (t.includes('abort')) return 'abort';
  if (t.includes('vendor')) return 'vendor';
  if (t.includes('offline')) return 'offline';
  return 'unknown';
}

// ATA self-test log descriptor byte 0 (ACS "SMART self-test log"): captive codes are offline + 128.
const ATA_KINDS: Record<number, SelfTestKind> = {
  0: 'offline',
  1: 'short',
  2: 'long',
  3: 'conveyance',
  4: 'selective',
  127: 'abort',
  129: 'short',
  130: 'long',
  131: 'conveyance',
  132: 'selective',
};
// NVMe Device Self-test log "Device Self-test Status" code field (high nibble): 1 short, 2 extended, Eh vendor.
const NVME_KINDS: Record<number, SelfTestKind> = { 1: 'short', 2: 'long', 14: 'vendor' };
// SCSI self-test results log page "self-test code": background/foreground short and extended.
const SCSI_KINDS: Record<number, SelfTestKind> = { 1: 'short', 2: 'long', 5: 'short', 6: 'long', 4: 'abort' };

/**
 * ATA self-test execution status: the high nibble is the outcome (0 ok, 1 aborted by host, 2 interrupted
 * by reset, 3–8 failures, 15 running), the low nibble tens of percent left.
 */
function ataStatus(value: number | undefined, passed: unknown): SelfTestStatus {
  if (value === undefined) return passed === true ? 'passed' : passed === false ? 'failed' : 'unknown';
  const outcome = value >> 4;
  if (outcome === 0) return 'passed';
  if (outcome === 1 || outcome === 2) return 'aborted';
  if (outcome >= 3 && outcome <= 8) return 'failed';
  if (outcome === 15) return 'in_progress';
  return 'unknown';
}

/** NVMe result codes: 0 ok; 1–4, 8, 9 aborted (command, reset, namespace, format, unknown, sanitize); 5–7 failed. */
function nvmeStatus(value: number | undefined): SelfTestStatus {
  if (value === 0) return 'passed';
  if (value === undefined) return 'unknown';
  if ([1, 2, 3, 4, 8, 9].includes(value)) return 'aborted';
  if (value >= 5 && value <= 7) return 'failed';
  return 'unknown';
}

/** SCSI results: 0 ok; 1–2 aborted; 3–7 failed (unknown error, failed segment); 15 running. */
function scsiStatus(value: number | undefined): SelfTestStatus {
  if (value === 0) return 'passed';
  if (value === 1 || value === 2) return 'aborted';
  if (value !== undefined && value >= 3 && value <= 7) return 'failed';
  if (value === 15) return 'in_progress';
  return 'unknown';
}

function ataEntries(json: Json): SelfTestEntry[] {
  const log = obj(json.ata_smart_self_test_log);
  // `-x` reads the extended (GP) log, which holds more entries; `-l selftest` the standard one.
  const extended = arr(at(log, 'extended', 'table'));
  const rows = extended.length > 0 ? extended : arr(at(log, 'standard', 'table'));
  return rows.flatMap((row): SelfTestEntry[] => {
    const r = obj(row);
    if (!r) return [];
    const statusValue = num(at(r, 'status', 'value'));
    const status = ataStatus(statusValue, at(r, 'status', 'passed'));
    const remaining = num(at(r, 'status', 'remaining_percent'));
    return [
      {
        kind: kindOf(num(at(r, 'type', 'value')), str(at(r, 'type', 'string')), ATA_KINDS),
        kindText: str(at(r, 'type', 'string')),
        status,
        statusText: str(at(r, 'status', 'string')),
        powerOnHours: count(r.lifetime_hours),
        remainingRatio: status === 'passed' ? undefined : ratio(remaining),
        failingLba: count(r.lba),
      },
    ];
  });
}

function nvmeEntries(json: Json): SelfTestEntry[] {
  return arr(at(json, 'nvme_self_test_log', 'table')).flatMap((row): SelfTestEntry[] => {
    const r = obj(row);
    if (!r) return [];
    const result = num(at(r, 'self_test_result', 'value'));
    // 15: an unused log slot, which smartctl may list on some drives.
    if (result === 15) return [];
    const text = str(at(r, 'self_test_code', 'string'));
    return [
      {
        kind: kindOf(num(at(r, 'self_test_code', 'value')), text, NVME_KINDS),
        kindText: text,
        status: nvmeStatus(result),
        statusText: str(at(r, 'self_test_result', 'string')),
        powerOnHours: count(r.power_on_hours),
        failingLba: count(r.lba),
      },
    ];
  });
}

function scsiEntries(json: Json): SelfTestEntry[] {
  const keys = Object.keys(json)
    .map((k) => /^scsi_self_test_(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]));
  return keys.flatMap((m): SelfTestEntry[] => {
    const r = obj(json[m[0]]);
    if (!r) return [];
    const text = str(at(r, 'code', 'string'));
    return [
      {
        kind: kindOf(num(at(r, 'code', 'value')), text, SCSI_KINDS),
        kindText: text,
        status: scsiStatus(num(at(r, 'result', 'value'))),
        statusText: str(at(r, 'result', 'string')),
        powerOnHours: count(at(r, 'power_on_time', 'hours')),
        failingLba: count(at(r, 'lba_first_failure', 'value')),
      },
    ];
  });
}

/** A running test: NVMe's current operation, ATA's execution status, or a log row marked running. */
function progressOf(
  json: Json,
  protocol: DiskProtocol,
  entries: SelfTestEntry[],
): SelfTestProgress | undefined {
  if (protocol === 'nvme') {
    const op = num(at(json, 'nvme_self_test_log', 'current_self_test_operation', 'value'));
    if (op === undefined || op === 0) return undefined;
    const done = num(at(json, 'nvme_self_test_log', 'current_self_test_completion_percent'));
    const text = str(at(json, 'nvme_self_test_log', 'current_self_test_operation', 'string'));
    return {
      kind: kindOf(op, text, NVME_KINDS),
      kindText: text,
      remainingRatio: done === undefined ? undefined : ratio(100 - done),
    };
  }
  const ataNow = num(at(json, 'ata_smart_data', 'self_test', 'status', 'value'));
  if (ataNow !== undefined && ataNow >> 4 === 15)
    return {
      remainingRatio: ratio(num(at(json, 'ata_smart_data', 'self_test', 'status', 'remaining_percent'))),
    };
  const running = entries.find((e) => e.status === 'in_progress');
  return (
    running && { kind: running.kind, kindText: running.kindText, remainingRatio: running.remainingRatio }
  );
}

function protocolOf(json: Json): DiskProtocol {
  const p = str(at(json, 'device', 'protocol'))?.toLowerCase();
  if (p === 'ata' || p === 'nvme' || p === 'scsi') return p;
  if (json.nvme_self_test_log !== undefined) return 'nvme';
  if (json.ata_smart_self_test_log !== undefined) return 'ata';
  return Object.keys(json).some((k) => k.startsWith('scsi_self_test_')) ? 'scsi' : 'unknown';
}

const messagesOf = (json: Json): string[] =>
  arr(at(json, 'smartctl', 'messages')).flatMap((m) => {
    const s = str(obj(m)?.string);
    return s ? [s] : [];
  });

const SLEEPING = /Device is in (STANDBY|SLEEP|IDLE[_A-Z]*) mode/i;

/**
 * One `smartctl -j -l selftest [-n standby]` reply. `exitStatus` is the process's status. A sleeping disk
 * left alone is `standby`; a reply without data (open failed, bad command line) is `failed` with
 * smartctl's reason. Never throws.
 */
export function parseSelfTestLog(text: string, exitStatus: number): Result<SelfTestLogReply> {
  const parsed = extractJson(text, 'smartctl -l selftest');
  if (!parsed.ok) {
    const sleeping = SLEEPING.exec(text);
    if (sleeping) return ok({ kind: 'standby', powerMode: sleeping[1]!.toUpperCase(), exitStatus });
    return parsed;
  }
  const { json } = parsed.value;
  const messages = messagesOf(json);
  const sleeping = messages.map((m) => SLEEPING.exec(m)).find((m) => m !== null);
  if (sleeping) return ok({ kind: 'standby', powerMode: sleeping[1]!.toUpperCase(), exitStatus });
  const protocol = protocolOf(json);
  const entries =
    protocol === 'nvme' ? nvmeEntries(json) : protocol === 'scsi' ? scsiEntries(json) : ataEntries(json);
  const hasLog =
    json.ata_smart_self_test_log !== undefined ||
    json.nvme_self_test_log !== undefined ||
    entries.length > 0 ||
    json.scsi_self_test_0 !== undefined;
  if (commandFailed(exitStatus) && !hasLog)
    return ok({
      kind: 'failed',
      exitStatus,
      message: messages[0] ?? `smartctl exited with status ${exitStatus} and no self-test log`,
    });
  return ok({
    kind: 'log',
    protocol,
    entries,
    inProgress: progressOf(json, protocol, entries),
    exitStatus,
    messages,
  });
}

/** smartctl's banner and section headers say nothing about the outcome. */
const NOISE = /^(smartctl \d|Copyright \(C\)|=== START OF|Use smartctl -X|Sending command|Drive command)/;

/**
 * What `smartctl -t short|long` (text output) said: ATA "Testing has begun", NVMe "Self-test has begun",
 * SCSI "… Self Test has begun"; a running test blocks a new one ("Can't start self-test without aborting
 * current test"). Never throws.
 */
export function parseSelfTestStart(text: string, exitStatus: number): SelfTestStart {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !NOISE.test(l));
  const message = lines.join(' ').slice(0, 500) || `smartctl exited with status ${exitStatus}`;
  const busy = /can't start self-test without aborting current test(?: \((\d+)% remaining\))?/i.exec(text);
  if (busy) return { outcome: 'busy', message, remainingRatio: ratio(num(Number(busy[1] ?? NaN))) };
  if (/(testing|self[- ]test) has begun/i.test(text) && !commandFailed(exitStatus)) {
    const wait = /please wait (\d+) minutes?/i.exec(text);
    return { outcome: 'started', message, expectedMinutes: wait ? Number(wait[1]) : undefined };
  }
  if (/not supported|unsupported|does not support/i.test(text)) return { outcome: 'unsupported', message };
  return { outcome: 'failed', message };
}
