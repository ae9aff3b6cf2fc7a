import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Result } from '../source.js';
import { mergePools, parseZpoolList, parseZpoolStatus } from './parse.js';
import type { ZpoolStatusPool, ZpoolVdev } from './types.js';
import { utcTime } from './units.js';

const text = (file: string) => readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
const parse = (file: string) => poolsOf(parseZpoolStatus(text(file), { toEpoch: utcTime }));

function poolsOf<T>(r: Result<T[]>): T[] {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** One line per vdev: `label state read/write/cksum [note]`, indented by depth, for compact asserts. */
const tree = (vdevs: ZpoolVdev[]) =>
  vdevs.map(
    (v) =>
      `${'  '.repeat(v.depth)}${v.label} ${v.state} ${v.readErrors ?? '-'}/${v.writeErrors ?? '-'}/${v.checksumErrors ?? '-'}${v.note ? ` ${v.note}` : ''}`,
  );

const pool = (pools: ZpoolStatusPool[], name: string) => {
  const p = pools.find((x) => x.name === name);
  if (!p) throw new Error(`no pool ${name}`);
  return p;
};

// The telegraf fixtures were recorded with `-o name,health,size,alloc,free,fragmentation,capacity,dedupratio`.
const TELEGRAF_COLUMNS = [
  'name',
  'health',
  'size',
  'allocated',
  'free',
  'fragmentation',
  'capacity',
  'dedupratio',
];

describe('parseZpoolList', () => {
  it('reads four TrueNAS pools: exact bytes, "-" and "8%" fragmentation, "1.83x" dedup', () => {
    expect(poolsOf(parseZpoolList(text('zpool-list-Hp-4pools.txt'), TELEGRAF_COLUMNS))).toEqual([
      {
        name: 'freenas-boot',
        health: 'ONLINE',
        sizeBytes: 30601641984,
        allocatedBytes: 2022177280,
        freeBytes: 28579464704,
        dedupRatio: 1,
      },
      {
        name: 'red1',
        health: 'ONLINE',
        sizeBytes: 8933531975680,
        allocatedBytes: 1126164848640,
        freeBytes: 7807367127040,
        fragmentationRatio: 0.08,
        dedupRatio: 1.83,
      },
      {
        name: 'temp1',
        health: 'ONLINE',
        sizeBytes: 2989297238016,
        allocatedBytes: 1626309320704,
        freeBytes: 1362987917312,
        fragmentationRatio: 0.38,
        dedupRatio: 1.28,
      },
      {
        name: 'temp2',
        health: 'ONLINE',
        sizeBytes: 2989297238016,
        allocatedBytes: 626958278656,
        freeBytes: 2362338959360,
        fragmentationRatio: 0.12,
        dedupRatio: 1,
      },
    ]);
  });

  it('reads an UNAVAIL pool whose numbers are all "-" as unknown, not 0', () => {
    expect(poolsOf(parseZpoolList(text('zpool-list-Hp-unavail.txt'), TELEGRAF_COLUMNS))).toEqual([
      { name: 'temp2', health: 'UNAVAIL' },
    ]);
  });

  it('reads the OpenZFS 2.x -p forms in the source column order (bare percent, bare ratio)', () => {
    expect(
      poolsOf(parseZpoolList('rpool\t996432412672\t7226282476\t989206130196\t3\t1.00\tONLINE\n')),
    ).toEqual([
      {
        name: 'rpool',
        health: 'ONLINE',
        sizeBytes: 996432412672,
        allocatedBytes: 7226282476,
        freeBytes: 989206130196,
        fragmentationRatio: 0.03,
        dedupRatio: 1,
      },
    ]);
  });

  it('is empty for no pools and a parse error for lines without the columns', () => {
    expect(parseZpoolList('')).toEqual({ ok: true, value: [] });
    expect(parseZpoolList('no pools available\n')).toEqual({ ok: true, value: [] });
    expect(parseZpoolList('internal error: out of memory\n')).toMatchObject({
      ok: false,
      error: { kind: 'parse' },
    });
  });
});

describe('parseZpoolStatus', () => {
  it('reads a PVE 8 resilver in progress (2.2 format) with a replacing vdev and a missing disk', () => {
    const [p] = parse('zpool-status-v-pve8-resilver-in-progress-replacing.txt');
    expect(p?.state).toBe('DEGRADED');
    expect(p?.status).toBe(
      'One or more devices is currently being resilvered. The pool will continue to function, possibly in a degraded state.',
    );
    expect(p?.action).toBe('Wait for the resilver to complete.');
    expect(p?.scans).toEqual([
      {
        function: 'resilver',
        state: 'scanning',
        paused: false,
        startTime: 1740497618, // Tue Feb 25 15:33:38 2025 read as UTC
        scannedBytes: Math.round(6.73 * 2 ** 30),
        totalBytes: Math.round(6.73 * 2 ** 30),
        issuedBytes: Math.round(40.7 * 2 ** 20),
        issueRateBytesPerSecond: Math.round(40.7 * 2 ** 20),
        processedBytes: Math.round(25.2 * 2 ** 20),
        progressRatio: 0.0059,
        secondsLeft: 168,
        text: [
          'resilver in progress since Tue Feb 25 15:33:38 2025',
          '6.73G / 6.73G scanned, 40.7M / 6.73G issued at 40.7M/s',
          '25.2M resilvered, 0.59% done, 00:02:48 to go',
        ].join('\n'),
      },
    ]);
    expect(tree(p?.vdevs ?? [])).toEqual([
      'rpool DEGRADED 0/0/0',
      '  mirror-0 DEGRADED 0/0/0',
      '    ata-ST31000524AS_5VPD6EX2-part3 ONLINE 0/0/0',
      '    replacing-1 DEGRADED 0/0/0',
      '      12573010284538016996 UNAVAIL 0/0/0 was /dev/disk/by-id/ata-ST31000528AS_5VP07Z06-part3',
      '      ata-TOSHIBA_MQ01ABD100_96EOC9BST-part3 ONLINE 0/0/0 (resilvering)',
    ]);
    expect(p?.vdevs[4]).toMatchObject({
      type: 'disk',
      leaf: true,
      parent: 'replacing-1',
      wasPath: '/dev/disk/by-id/ata-ST31000528AS_5VP07Z06-part3',
    });
    expect(p?.vdevs.map((v) => v.type)).toEqual(['root', 'mirror', 'disk', 'replacing', 'disk', 'disk']);
    expect([p?.dataErrors, p?.errorsText]).toEqual([0, 'No known data errors']);
  });

  it('reads a PVE 8 scrub in progress (2.2 "X / T scanned, Y / T issued at R/s" format)', () => {
    const [p] = parse('zpool-status-v-pve8-scrub-in-progress.txt');
    expect(p?.scans[0]).toMatchObject({
      function: 'scrub',
      state: 'scanning',
      paused: false,
      startTime: 1740498122,
      issuedBytes: Math.round(1.86 * 2 ** 30),
      issueRateBytesPerSecond: Math.round(33.4 * 2 ** 20),
      processedBytes: 0,
      progressRatio: 0.2763,
      secondsLeft: 149,
    });
    expect(p?.scans[0]?.scanRateBytesPerSecond).toBeUndefined();
    expect(p?.vdevs).toHaveLength(4);
  });

  it('reads the finished PVE 8 scrub: repaired bytes, duration, errors and end time', () => {
    const [p] = parse('zpool-status-v-pve8-scrub-repaired-0-errors.txt');
    expect(p?.scans).toEqual([
      {
        function: 'scrub',
        state: 'finished',
        paused: false,
        endTime: 1740498368,
        errors: 0,
        durationSeconds: 246,
        processedBytes: 0,
        text: 'scrub repaired 0B in 00:04:06 with 0 errors on Tue Feb 25 15:46:08 2025',
      },
    ]);
  });

  it('reads a degraded pool with three hot spares in use and labels the repeated names uniquely', () => {
    const [p] = parse('zpool-status-degraded-spares-inuse.txt');
    expect(p?.state).toBe('DEGRADED');
    expect(p?.scans).toEqual([]);
    expect(p?.dataErrors).toBeUndefined(); // the capture has no errors: line
    expect(tree(p?.vdevs ?? [])).toEqual([
      'mypool DEGRADED 0/0/0',
      '  mirror-0 DEGRADED 0/0/0',
      '    spare-0 DEGRADED 0/0/0',
      '      B0 FAULTED 0/294/0 too many errors',
      '      spare-0/B14 ONLINE 0/0/0',
      '    spare-1 FAULTED 0/0/0',
      '      B1 FAULTED 0/101/0 too many errors',
      '      spare-1/B15 ONLINE 0/0/0',
      '    spare-2 FAULTED 0/0/0',
      '      B2 FAULTED 0/101/0 too many errors',
      '      spare-2/B16 ONLINE 0/0/0',
      '    B3 ONLINE 0/0/0',
      '    B4 ONLINE 0/0/0',
      '    B5 ONLINE 0/0/0',
      '    B6 ONLINE 0/0/0',
      '  B14 INUSE -/-/- currently in use',
      '  B15 INUSE -/-/- currently in use',
      '  B16 INUSE -/-/- currently in use',
    ]);
    expect(p?.vdevs.filter((v) => v.class === 'spares').map((v) => [v.name, v.type, v.parent])).toEqual([
      ['B14', 'disk', undefined],
      ['B15', 'disk', undefined],
      ['B16', 'disk', undefined],
    ]);
    expect(p?.vdevs[4]).toMatchObject({
      name: 'B14',
      label: 'spare-0/B14',
      parent: 'spare-0',
      class: 'normal',
    });
  });

  it('reads spare, special, logs and cache sections (TrueNAS, spare-0 in use)', () => {
    const [p] = parse('zpool-status-spare-inuse-special-logs-cache.txt');
    const byClass = (c: string) => p?.vdevs.filter((v) => v.class === c).map((v) => `${v.label} ${v.state}`);
    expect(byClass('special')).toEqual(['58d6865e-664f-456c-a6bb-391e53e014d8 ONLINE']);
    expect(byClass('logs')).toEqual(['790817f9-9e27-4576-8b99-093b8d792962 ONLINE']);
    expect(byClass('cache')).toEqual(['a6f48d2e-256c-4eba-a451-e4b6bb147eee ONLINE']);
    expect(byClass('spares')).toEqual([
      'f7c8e925-6ede-4331-8fd3-ee70570772e0 INUSE',
      '4d982589-03a3-4ae3-934a-8386a49a891c AVAIL',
      '4a5ab019-d9b4-4ebe-ae54-c5d73911b4fc AVAIL',
      '46f25d7f-9759-49fd-99b2-7210bfb5602b AVAIL',
      '34ecb450-8aea-4e04-92d8-71845bc4e21b AVAIL',
    ]);
    expect(p?.vdevs.find((v) => v.parent === 'spare-0' && v.name.startsWith('f7c8'))?.label).toBe(
      'spare-0/f7c8e925-6ede-4331-8fd3-ee70570772e0',
    );
    expect(new Set(p?.vdevs.map((v) => v.label)).size).toBe(p?.vdevs.length);
    const special = p?.vdevs.find((v) => v.class === 'special');
    expect([special?.depth, special?.parent, special?.leaf]).toEqual([1, undefined, true]);
  });

  it('reads a DEGRADED and an UNAVAIL pool from one run (Solaris names, 2011 resilver)', () => {
    const pools = parse('zpool-status-degraded-and-unavail.txt');
    expect(pools.map((p) => [p.name, p.state, p.dataErrors])).toEqual([
      ['rpool', 'DEGRADED', 0],
      ['zpool', 'UNAVAIL', undefined],
    ]);
    expect(pool(pools, 'rpool').scans[0]).toMatchObject({
      function: 'resilver',
      state: 'finished',
      endTime: 1321335096,
      durationSeconds: 0, // "0h0m"
      processedBytes: Math.round(1.41 * 2 ** 20),
      errors: 0,
    });
    expect(pool(pools, 'rpool').see).toBe('http://www.sun.com/msg/ZFS-8000-2Q');
    expect(pool(pools, 'zpool').scans).toEqual([
      { function: undefined, state: 'none', paused: false, text: 'none requested' },
    ]);
    expect(tree(pool(pools, 'zpool').vdevs)).toEqual([
      'zpool UNAVAIL 0/0/0 insufficient replicas',
      '  raidz1-0 UNAVAIL 0/0/0 insufficient replicas',
      '    c2t1d0p2 ONLINE 0/0/0',
      '    c4d1p2 UNAVAIL 0/0/0 cannot open',
      '    c3d1p2 UNAVAIL 0/0/0 cannot open',
    ]);
  });

  it('reads the legacy " scrub: none requested" line as never scanned', () => {
    const [p] = parse('zpool-status-degraded-mirror.txt');
    expect(p?.scans).toMatchObject([{ state: 'none' }]);
    expect(tree(p?.vdevs ?? [])).toEqual([
      'tank DEGRADED 0/0/0',
      '  mirror-0 DEGRADED 0/0/0',
      '    c1t0d0 ONLINE 0/0/0',
      '    c1t1d0 UNAVAIL 0/0/0 cannot open',
    ]);
  });

  it('keeps what a capture cut off after the config table holds (FAULTED disk, READ 13 / CKSUM 5)', () => {
    const [p] = parse('zpool-status-faulted-too-many-errors-truncated.txt');
    expect(p?.dataErrors).toBeUndefined();
    expect(p?.scans[0]).toMatchObject({
      function: 'scrub',
      state: 'finished',
      durationSeconds: 26405,
      endTime: 1650266439,
    });
    expect(tree(p?.vdevs ?? []).slice(2)).toEqual([
      '    ata-WDC_WD30EFRX-68EUZN0_WD-WMC4N1768104 FAULTED 13/0/5 too many errors',
      '    ata-WDC_WD30EFRX-68EUZN0_WD-WMC4N2558226 ONLINE 0/0/0',
    ]);
  });

  it('reads three pools printed without blank lines: canceled scrub and "0 days HH:MM:SS" durations', () => {
    const pools = parse('zpool-status-healthy-3pools.txt');
    expect(pools.map((p) => [p.name, p.state, p.vdevs.length, p.dataErrors])).toEqual([
      ['zhgstera6', 'ONLINE', 2, 0],
      ['zint500', 'ONLINE', 2, 0],
      ['zsam53', 'ONLINE', 2, 0],
    ]);
    expect(pools.map((p) => p.scans[0])).toMatchObject([
      { function: 'scrub', state: 'canceled', endTime: 1660923199 },
      { function: 'scrub', state: 'finished', durationSeconds: 1187, endTime: 1660609250, processedBytes: 0 },
      { function: 'scrub', state: 'finished', durationSeconds: 5143, errors: 0 },
    ]);
  });

  it('reads a new pool with no scan: line at all (OpenZFS 2.2+)', () => {
    const [p] = parse('zpool-status-new-pool-no-scan-line.txt');
    expect([p?.name, p?.state, p?.scans, p?.dataErrors]).toEqual(['milton', 'ONLINE', [], 0]);
    expect(p?.vdevs.map((v) => v.label)).toEqual([
      'milton',
      'mirror-0',
      'ata-ST8000VN004-2M2101_WSD4EYEW',
      'ata-ST8000VN004-2M2101_WSD49ZDC',
    ]);
  });

  it('reads the upgrade notice as status text on a healthy pool, across tab-indented lines', () => {
    const [p] = parse('zpool-status-online-upgrade-notice.txt');
    expect(p?.state).toBe('ONLINE');
    expect(p?.status).toBe(
      'Some supported and requested features are not enabled on the pool. The pool can still be used, but some features are unavailable.',
    );
    expect(p?.action).toMatch(
      /^Enable all features using 'zpool upgrade'\. .* See zpool-features\(7\) for details\.$/,
    );
    expect(p?.scans[0]).toMatchObject({ state: 'finished', durationSeconds: 11 * 3600 + 16 * 60 + 3 });
    expect(p?.vdevs.filter((v) => v.leaf).map((v) => v.parent)).toEqual([
      'mirror-0',
      'mirror-0',
      'mirror-1',
      'mirror-1',
    ]);
  });

  it('reads two -p pools: raidz1 of ata- disks and an NVMe mirror, "repaired 1M"', () => {
    const pools = parse('zpool-status-p-online-2pools.txt');
    expect(pools.map((p) => p.name)).toEqual(['pool0', 'pool1']);
    expect(pool(pools, 'pool1').scans[0]).toMatchObject({ processedBytes: 2 ** 20, endTime: 1699748927 });
    expect(pool(pools, 'pool0').vdevs.map((v) => v.type)).toEqual(['root', 'raidz', 'disk', 'disk', 'disk']);
    expect(pool(pools, 'pool1').dataErrors).toBe(0); // the file ends without a newline
  });

  it('reads a REMOVED mirror member', () => {
    const [p] = parse('zpool-status-removed-degraded.txt');
    expect(p?.vdevs.map((v) => v.state)).toEqual(['DEGRADED', 'DEGRADED', 'REMOVED', 'ONLINE']);
    expect(p?.status).toMatch(/^One or more devices has been removed by the administrator\./);
  });

  it('reads "1 data errors" after a permission-denied errors: line', () => {
    const [p] = parse('zpool-status-scrub-1-error-data-corruption.txt');
    expect(p?.dataErrors).toBe(1);
    expect(p?.errorsText).toBe(
      "List of errors unavailable: permission denied\n1 data errors, use '-v' for a list",
    );
    expect(p?.scans[0]).toMatchObject({
      errors: 1,
      durationSeconds: 14 * 3600 + 7 * 60,
      endTime: 1707080065,
    });
  });

  it('reads a paused scrub (OpenZFS 2.3.1): paused since, started on, no rates, no estimate', () => {
    const [p] = parse('zpool-status-scrub-paused.txt');
    expect(p?.vdevs).toEqual([]);
    expect(p?.scans).toEqual([
      {
        function: 'scrub',
        state: 'scanning',
        paused: true,
        startTime: 1749386625,
        pausedSince: 1749402020,
        scannedBytes: 0,
        totalBytes: Math.round(12.8 * 2 ** 40),
        issuedBytes: 0,
        processedBytes: 0,
        progressRatio: 0,
        text: expect.stringMatching(/^scrub paused since/) as unknown as string,
      },
    ]);
  });

  it('reads an AVAIL hot spare', () => {
    const [p] = parse('zpool-status-spares.txt');
    expect(p?.vdevs.at(-1)).toMatchObject({ label: 'sdf', class: 'spares', state: 'AVAIL', depth: 1 });
    // The capture has "scrub repaired 0B in <snip>": what can be read of it is kept.
    expect(p?.scans).toMatchObject([{ function: 'scrub', state: 'finished', processedBytes: 0 }]);
    expect(p?.scans[0]?.endTime).toBeUndefined();
  });

  it('reads an exact CKSUM count of 100980 on a missing disk', () => {
    const [p] = parse('zpool-status-unavail-cksum-was-path.txt');
    expect(p?.vdevs[2]).toMatchObject({
      name: '12345678901234567890',
      state: 'UNAVAIL',
      checksumErrors: 100980,
      wasPath: '/dev/disk/by-id/ata-ST8000DM004-xxxxxx_redacted-part1',
    });
    expect(p?.see).toBe('https://openzfs.github.io/openzfs-docs/msg/ZFS-8000-4J');
  });

  it('counts the files of "Permanent errors" and reads the Solaris "scrub completed after" line', () => {
    const [p] = parse('zpool-status-unavail-permanent-errors.txt');
    expect([p?.state, p?.dataErrors]).toEqual(['UNAVAIL', 3]);
    expect(p?.scans[0]).toMatchObject({
      function: 'scrub',
      state: 'finished',
      endTime: 1265116122,
      errors: 0,
    });
    expect(tree(p?.vdevs ?? [])).toEqual([
      'tank UNAVAIL 0/0/0 insufficient replicas',
      '  c1t0d0 ONLINE 0/0/0',
      '  c1t1d0 UNAVAIL 4/1/0 cannot open',
    ]);
  });

  it('reads the ZoL 0.6.5 scrub progress ("scanned out of ... at R/s, 0h54m to go")', () => {
    const [p] = parse('zpool-status-zol065-scrub-in-progress-truncated.txt');
    expect(p?.scans[0]).toMatchObject({
      function: 'scrub',
      state: 'scanning',
      startTime: 1461853443,
      scannedBytes: Math.round(17.1 * 2 ** 40),
      totalBytes: Math.round(17.3 * 2 ** 40),
      scanRateBytesPerSecond: Math.round(55.1 * 2 ** 20),
      processedBytes: 488 * 1024,
      progressRatio: 0.9901,
      secondsLeft: 54 * 60,
    });
    expect(p?.vdevs).toEqual([]); // the capture stops at the NAME header
  });

  it('reads the ZoL 0.8 resilver progress ("scanned at, issued at, total", "0 days" ETA), cut mid-line', () => {
    const [p] = parse('zpool-status-zol08-resilver-in-progress-truncated.txt');
    expect(p?.scans[0]).toMatchObject({
      function: 'resilver',
      scannedBytes: Math.round(590 * 2 ** 30),
      scanRateBytesPerSecond: Math.round(497 * 2 ** 20),
      issuedBytes: Math.round(229 * 2 ** 30),
      totalBytes: Math.round(14.4 * 2 ** 40),
      processedBytes: Math.round(32.2 * 2 ** 30),
      progressRatio: 0.0155,
      secondsLeft: 21 * 3600 + 27 * 60 + 1,
    });
    expect(tree(p?.vdevs ?? []).slice(-2)).toEqual([
      '    ata-WDC_WD30EFRX-68AX9N0_WD-WCC1T1545960 ONLINE 0/0/0',
      '    ata-WDC_WD30EFRX-68AX9N0_WD-WCC1T1550817 ONLINE -/-/-',
    ]);
  });

  it('reads two scan: lines (a scrub and a dRAID rebuild) and a distributed spare (openzfs#18319)', () => {
    // From the issue's test log, timestamps stripped; the log continues past the last line kept here.
    const r = parseZpoolStatus(
      [
        '  pool: testpool',
        ' state: DEGRADED',
        '  scan: scrub repaired 2K in 00:00:01 with 0 errors on Fri Mar 13 07:18:28 2026',
        '  scan: resilvered (draid1:2d:10c:5s-0) 53.6M in 00:00:00 with 0 errors on Fri Mar 13 07:18:27 2026',
        'config:',
        '',
        '\tNAME                                    STATE     READ WRITE CKSUM',
        '\ttestpool                                DEGRADED     0     0     0',
        '\t  draid1:2d:10c:5s-0                    DEGRADED     0     0     0',
        '\t    /var/tmp/basedir.1718729/new_vdev0  ONLINE       0     0     0',
        '\t    spare-2                             DEGRADED     0     0     1',
        '\t      /var/tmp/basedir.1718729/vdev2    FAULTED      0     0     0  external device fault',
        '\t      draid1-0-3                        ONLINE       0     0     0',
      ].join('\n'),
      { toEpoch: utcTime },
    );
    const [p] = poolsOf(r);
    expect(p?.scans.map((s) => [s.function, s.state, s.vdev, s.processedBytes])).toEqual([
      ['scrub', 'finished', undefined, 2048],
      ['resilver', 'finished', 'draid1:2d:10c:5s-0', Math.round(53.6 * 2 ** 20)],
    ]);
    expect(p?.vdevs.map((v) => v.type)).toEqual(['root', 'draid', 'file', 'spare', 'file', 'dspare']);
    expect(p?.vdevs[4]?.note).toBe('external device fault');
  });

  it('reads K-suffixed counters of a run without -p (openzfs#13275)', () => {
    const [p] = poolsOf(
      parseZpoolStatus(
        [
          '  pool: tank',
          ' state: DEGRADED',
          'config:',
          '',
          '\tNAME                              STATE     READ WRITE CKSUM',
          '\ttank                              DEGRADED     0     0     0',
          '\t  raidz3-8                        DEGRADED     0     0     0',
          '\t    spare-7                       DEGRADED     0     0   448',
          '\t      35000c500ae5502d7           DEGRADED 2.60K 4.42K    35  too many errors',
          '\t      35000c500ae66798b           ONLINE      10 17.1K     0  (resilvering)',
        ].join('\n'),
      ),
    );
    expect(tree(p?.vdevs ?? []).slice(3)).toEqual([
      '      35000c500ae5502d7 DEGRADED 2662/4526/35 too many errors',
      '      35000c500ae66798b ONLINE 10/17510/0 (resilvering)',
    ]);
  });

  it('ignores colour codes and an extra SLOW column', () => {
    const [p] = poolsOf(
      parseZpoolStatus(
        [
          '  \x1b[1mpool:\x1b[0m tank',
          ' \x1b[1mstate: \x1b[0m\x1b[0;33mDEGRADED\x1b[0m',
          'config:',
          '',
          '\tNAME        STATE     READ WRITE CKSUM  SLOW',
          '\ttank        DEGRADED     0     0     0     -',
          '\t  sda       FAULTED      3     0     0     7  too many errors',
        ].join('\n'),
      ),
    );
    expect([p?.name, p?.state]).toEqual(['tank', 'DEGRADED']);
    expect(tree(p?.vdevs ?? [])).toEqual(['tank DEGRADED 0/0/0 -', '  sda FAULTED 3/0/0 too many errors']);
  });

  it('is zero pools for "no pools available" and a parse error for other text', () => {
    expect(parseZpoolStatus('')).toEqual({ ok: true, value: [] });
    expect(parseZpoolStatus('no pools available\n')).toEqual({ ok: true, value: [] });
    expect(parseZpoolStatus('internal error: Bad file descriptor')).toMatchObject({
      ok: false,
      error: { kind: 'parse' },
    });
  });

  it('never throws on random or truncated input, and a cut output yields a prefix of the pools', () => {
    const full = [
      'zpool-status-degraded-and-unavail.txt',
      'zpool-status-degraded-spares-inuse.txt',
      'zpool-status-v-pve8-resilver-in-progress-replacing.txt',
      'zpool-status-healthy-3pools.txt',
    ].map(text);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc
            .array(fc.oneof(fc.constantFrom(...full.flatMap((t) => t.split('\n'))), fc.string()), {
              maxLength: 40,
            })
            .map((ls) => ls.join('\n')),
          fc.tuple(fc.constantFrom(...full), fc.nat()).map(([t, n]) => t.slice(0, n % (t.length + 1))),
        ),
        (input) => {
          const r = parseZpoolStatus(input, { toEpoch: utcTime });
          if (!r.ok) {
            expect(r.error.kind).toBe('parse');
            return;
          }
          for (const p of r.value) {
            expect(typeof p.name).toBe('string');
            expect(new Set(p.vdevs.map((v) => v.label)).size).toBe(p.vdevs.length);
            for (const v of p.vdevs)
              for (const n of [v.readErrors, v.writeErrors, v.checksumErrors])
                if (n !== undefined) expect(n).toBeGreaterThanOrEqual(0);
            for (const s of p.scans)
              if (s.progressRatio !== undefined) expect(s.progressRatio).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
    fc.assert(
      fc.property(fc.constantFrom(...full), fc.nat(), (t, n) => {
        const r = parseZpoolStatus(t.slice(0, n % (t.length + 1)), { toEpoch: utcTime });
        const whole = poolsOf(parseZpoolStatus(t, { toEpoch: utcTime })).map((p) => p.name);
        const names = r.ok ? r.value.map((p) => p.name) : [];
        expect(names.length).toBeLessThanOrEqual(whole.length);
        names.forEach((name, i) => expect(whole[i]?.startsWith(name)).toBe(true));
      }),
    );
  });

  it('never throws on random list output', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string(), { maxLength: 8 }).map((c) => c.join('\t'))).map((l) => l.join('\n')),
        (input) => {
          const r = parseZpoolList(input);
          if (!r.ok) expect(r.error.kind).toBe('parse');
          else for (const e of r.value) expect(e.name.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});

describe('mergePools', () => {
  it('adds list sizes to status pools and keeps a pool only the list knows', () => {
    const status = parse('zpool-status-degraded-and-unavail.txt');
    const merged = mergePools(status, [
      { name: 'rpool', health: 'DEGRADED', sizeBytes: 100, allocatedBytes: 40, freeBytes: 60, dedupRatio: 1 },
      { name: 'other', health: 'ONLINE', sizeBytes: 5 },
    ]);
    expect(merged.map((p) => [p.name, p.state, p.sizeBytes, p.freeBytes, p.vdevs.length])).toEqual([
      ['rpool', 'DEGRADED', 100, 60, 5],
      ['zpool', 'UNAVAIL', undefined, undefined, 5],
      ['other', 'ONLINE', 5, undefined, 0],
    ]);
  });
});
