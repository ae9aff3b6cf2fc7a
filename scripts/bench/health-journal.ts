import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readJournalFixture, type ExportEntry } from '../../tests/journal.js';

/** Lines per batch: the cold cycle reads one, the warm one the next. */
export const JOURNAL_LINES = 50_000;
const FIXTURES = fileURLToPath(new URL('../../tests/fixtures/journal', import.meta.url));
/** journalctl's `-p warning` keeps priorities 0..4: every line written here is one of them. */
const WARNING = 4;

/** A family of generated lines: how many of each 20 lines it gets, and line `n` of it. */
interface Family {
  share: number;
  line: (n: number) => Omit<ExportEntry, 'timeMs'>;
}

/**
 * The warning-level lines of every tests/fixtures/journal file (OOM kills, disk I/O errors, a corosync
 * cascade, failing services, auth failures, nvme timeouts, benign chatter), each repeated verbatim.
 */
function fixtureLines(): Omit<ExportEntry, 'timeMs'>[] {
  const files = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.export'))
    .sort();
  return files.flatMap((f) =>
    readJournalFixture(f)
      .filter((e) => (e.priority ?? 7) <= WARNING)
      .map(({ timeMs: _, ...rest }) => rest),
  );
}

const kernel = (message: string, priority: number) => ({ message, priority, identifier: 'kernel' });
const pvestatd = (message: string) => ({
  message,
  priority: 3,
  identifier: 'pvestatd',
  unit: 'pvestatd.service',
  pid: 1843,
});

/**
 * Half the lines are the fixtures' own, the rest what a busy host with 1000 guests adds in the same
 * formats: bridge port chatter of guests starting and stopping (benign), block-layer I/O errors on a
 * few disks (one pattern per disk, sectors varying), QMP timeouts of 25 VMs, 40 network storages
 * offline (one pattern each), and a few failed guest starts.
 */
function families(): Family[] {
  const fixtures = fixtureLines();
  const vmid = (n: number) => 100 + ((n * 7919) % 1000);
  return [
    { share: 10, line: (n) => fixtures[n % fixtures.length]! },
    {
      share: 4,
      line: (n) =>
        n % 2 === 0
          ? kernel(`fwbr${vmid(n)}i0: port 2(veth${vmid(n)}i0) entered blocking state`, WARNING)
          : kernel(`vmbr0: port ${(n % 60) + 2}(tap${vmid(n)}i0) entered disabled state`, WARNING),
    },
    {
      share: 2,
      line: (n) =>
        kernel(
          `I/O error, dev sd${'bcdefghijk'[n % 10]}, sector ${1_000_000 + ((n * 2654435761) % 900_000_000)} ` +
            'op 0x0:(READ) flags 0x80700 phys_seg 1 prio class 2',
          3,
        ),
    },
    {
      share: 2,
      line: (n) => {
        const id = 100 + (n % 25) * 40;
        return pvestatd(
          `VM ${id} qmp command failed - VM ${id} qmp command 'query-proxmox-support' failed - ` +
            `unable to connect to VM ${id} qmp socket - timeout after 51 retries`,
        );
      },
    },
    { share: 1, line: (n) => pvestatd(`storage 'nfs-${n % 40}' is not online`) },
    {
      share: 1,
      line: (n) => ({
        message:
          `end task UPID:pve1:0001A2B3:0C4D5E6F:67A8B9C0:qmstart:${101 + (n % 3)}:root@pam: ` +
          'start failed: QEMU exited with code 1',
        priority: 3,
        identifier: 'pvedaemon',
        unit: 'pvedaemon.service',
        pid: 1922,
      }),
    },
  ];
}

/** `count` warning-level entries spread evenly over (fromMs, toMs], oldest first. */
export function busyHostJournal(count: number, fromMs: number, toMs: number): ExportEntry[] {
  const all = families();
  // One round of 20 lines: each family's share of slots, interleaved.
  const round = all.flatMap((f, i) => Array<number>(f.share).fill(i));
  const seen = all.map(() => 0);
  const step = (toMs - fromMs) / count;
  const entries: ExportEntry[] = [];
  for (let i = 0; i < count; i++) {
    const family = round[(i * 7) % round.length]!;
    const n = seen[family]!++;
    entries.push({ ...all[family]!.line(n), timeMs: fromMs + (i + 1) * step });
  }
  return entries;
}
