import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StatIds {
  state: string;
  pgrp: number;
  session: number;
}

/** State, process group and session from a /proc/<pid>/stat line; the command name may hold `) `. */
export function parseStatIds(stat: string): StatIds | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const [state, , pgrp, session] = stat.slice(close + 2).split(' ');
  const ids = { state: state ?? '', pgrp: Number(pgrp), session: Number(session) };
  return ids.state && Number.isInteger(ids.pgrp) && Number.isInteger(ids.session) ? ids : undefined;
}

/**
 * Live processes in the session or process group `sid`. A job-control shell moves background jobs
 * into groups of their own, so the group alone would miss them; the session (the PTY's) holds them
 * all. Zombies are already dead and only wait for their parent.
 */
export async function sessionMembers(sid: number, procfs = '/proc'): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(procfs);
  } catch {
    return [];
  }
  const members = await Promise.all(
    names
      .filter((n) => /^\d+$/.test(n))
      .map(async (n) => {
        try {
          const ids = parseStatIds(await readFile(join(procfs, n, 'stat'), 'utf8'));
          return ids && ids.state !== 'Z' && (ids.session === sid || ids.pgrp === sid) ? Number(n) : 0;
        } catch {
          return 0; // exited while we looked
        }
      }),
  );
  return members.filter((pid) => pid > 0);
}

async function stillMember(pid: number, sid: number, procfs: string): Promise<boolean> {
  try {
    const ids = parseStatIds(await readFile(join(procfs, String(pid), 'stat'), 'utf8'));
    // Checking the ids too: a pid that died may already belong to someone else.
    return !!ids && ids.state !== 'Z' && (ids.session === sid || ids.pgrp === sid);
  } catch {
    return false;
  }
}

function signal(pids: readonly number[], sid: number, sig: NodeJS.Signals): void {
  for (const pid of [-sid, ...pids]) {
    try {
      process.kill(pid, sig);
    } catch {
      // gone already
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Ends everything the terminal started: SIGHUP to its session (what a hung-up terminal would send),
 * then SIGKILL to whatever ignored it once `graceMs` has passed. Resolves when nothing is left.
 * The grace is watched on the known members only; the whole of /proc is scanned just at the edges.
 */
export async function killSession(
  sid: number,
  {
    graceMs = 2000,
    procfs = '/proc',
    pollMs = 25,
  }: { graceMs?: number; procfs?: string; pollMs?: number } = {},
): Promise<void> {
  // kill(-1) would signal every process we may signal: never let a bad pid get that far.
  if (!Number.isSafeInteger(sid) || sid <= 1 || sid === process.pid) return;
  const deadline = Date.now() + graceMs;
  let members = await sessionMembers(sid, procfs);
  signal(members, sid, 'SIGHUP');
  // A stopped job (Ctrl-Z) only acts on SIGHUP once continued, as the kernel does for orphaned groups.
  signal(members, sid, 'SIGCONT');
  while (members.length > 0 && Date.now() < deadline) {
    await sleep(pollMs);
    const alive = await Promise.all(members.map((pid) => stillMember(pid, sid, procfs)));
    members = members.filter((_, i) => alive[i]);
    // Something may have forked while dying: look once more before calling it done.
    if (members.length === 0) members = await sessionMembers(sid, procfs);
  }
  for (;;) {
    members = await sessionMembers(sid, procfs);
    if (members.length === 0) return;
    signal(members, sid, 'SIGKILL');
    // Uninterruptible sleep: SIGKILL lands when the process leaves the kernel; keep looking briefly.
    if (Date.now() >= deadline + 5000) return;
    await sleep(pollMs);
  }
}
