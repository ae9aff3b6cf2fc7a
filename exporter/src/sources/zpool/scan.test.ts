import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScanEntry } from './scan.js';
import { parseCtime, parseDuration, parseSize, processLocalTime, utcTime } from './units.js';

const scan = (...lines: string[]) => parseScanEntry(lines, utcTime);

describe('scan entries in every format zpool has printed', () => {
  it('2.2+: a scrub in progress with rates and an estimate of more than a day (openzfs#17440)', () => {
    expect(
      scan(
        'scrub in progress since Sun Jun  8 12:43:45 2025',
        '\t3.97T / 12.8T scanned at 94.4G/s, 4.11G / 12.8T issued at 97.9M/s',
        '\t0B repaired, 0.03% done, 1 days 14:05:30 to go',
      ),
    ).toMatchObject({
      function: 'scrub',
      state: 'scanning',
      startTime: 1749386625,
      scannedBytes: Math.round(3.97 * 2 ** 40),
      scanRateBytesPerSecond: Math.round(94.4 * 2 ** 30),
      issuedBytes: Math.round(4.11 * 2 ** 30),
      issueRateBytesPerSecond: Math.round(97.9 * 2 ** 20),
      progressRatio: 0.0003,
      secondsLeft: 86400 + 14 * 3600 + 5 * 60 + 30,
    });
  });

  it('2.2+: no estimate while the issue rate is low', () => {
    const s = scan(
      'resilver in progress since Tue Feb 25 15:33:38 2025',
      '\t1.2G / 6.73G scanned at 1.2G/s, 0B / 6.73G issued',
      '\t0B resilvered, 0.00% done, no estimated completion time',
    );
    expect(s).toMatchObject({ function: 'resilver', state: 'scanning', progressRatio: 0, issuedBytes: 0 });
    expect(s.secondsLeft).toBeUndefined();
    expect(s.issueRateBytesPerSecond).toBeUndefined();
  });

  it('0.8-2.1: "scanned at, issued at, total" and a "0 days" estimate (openzfs#8639)', () => {
    expect(
      scan(
        'resilver in progress since Thu Apr 18 09:18:59 2019',
        '        1.18G scanned at 1.18G/s, 1.18G issued at 1.18G/s, 40.4T total',
        '        0B resilvered, 0.00% done, 0 days 09:41:59 to go',
      ),
    ).toMatchObject({
      totalBytes: Math.round(40.4 * 2 ** 40),
      issuedBytes: Math.round(1.18 * 2 ** 30),
      secondsLeft: 9 * 3600 + 41 * 60 + 59,
    });
  });

  it('0.7: "scan is slow, no estimated time" and a decimal comma past 100% (openzfs#8611)', () => {
    const s = scan(
      'scrub in progress since Thu Apr 11 14:41:12 2019',
      '\t23,5G scanned out of 23,5G at 22,5M/s, (scan is slow, no estimated time)',
      '\t0B repaired, 100,09% done',
    );
    expect(s).toMatchObject({ scannedBytes: Math.round(23.5 * 2 ** 30), progressRatio: 1 });
    expect(s.secondsLeft).toBeUndefined();
  });

  it('a finished and a canceled resilver; a finished rebuild names its vdev', () => {
    expect(scan('resilvered 3.68T in 08:17:47 with 0 errors on Wed Jun 18 07:56:59 2025')).toMatchObject({
      function: 'resilver',
      state: 'finished',
      processedBytes: Math.round(3.68 * 2 ** 40),
      durationSeconds: 8 * 3600 + 17 * 60 + 47,
      errors: 0,
    });
    expect(scan('resilver canceled on Wed Jun 18 07:56:59 2025')).toMatchObject({
      function: 'resilver',
      state: 'canceled',
      endTime: 1750233419,
    });
    expect(scan('resilver (draid2-0) in progress since Wed Jun 18 07:56:59 2025')).toMatchObject({
      function: 'resilver',
      state: 'scanning',
      vdev: 'draid2-0',
    });
  });

  it('Solaris / ZoL 0.6: "scrub in progress for", "scrub stopped after", "resilver completed after"', () => {
    expect(scan('scrub in progress for 0h1m, 12.34% done, 0h5m to go')).toMatchObject({
      function: 'scrub',
      state: 'scanning',
      progressRatio: 0.1234,
      secondsLeft: 300,
    });
    expect(scan('scrub stopped after 0h1m with 0 errors on Fri Dec  3 11:44:06 2010')).toMatchObject({
      function: 'scrub',
      state: 'canceled',
      durationSeconds: 60,
    });
    expect(scan('resilver completed after 0h0m with 0 errors on Fri Dec  3 11:44:06 2010')).toMatchObject({
      function: 'resilver',
      state: 'finished',
      endTime: 1291376646,
    });
  });

  it('the 2.2+ error scrub under "scrub:" is its own function', () => {
    expect(scan('error scrub in progress since Fri Dec  3 11:44:06 2021')).toMatchObject({
      function: 'errorscrub',
      state: 'scanning',
    });
    expect(scan('scrubbed 12 error blocks in 0 days 00:00:01 on Fri Dec  3 11:44:06 2021')).toMatchObject({
      function: 'errorscrub',
      state: 'finished',
    });
  });

  it('keeps an entry in an unknown form as unknown with its text', () => {
    expect(scan('defragmenting since yesterday')).toEqual({
      state: 'unknown',
      paused: false,
      text: 'defragmenting since yesterday',
    });
  });

  it('never throws on random lines', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 4 }), (lines) => {
        const s = parseScanEntry(lines, utcTime);
        expect(['none', 'scanning', 'finished', 'canceled', 'unknown']).toContain(s.state);
      }),
    );
  });
});

describe('units', () => {
  it('reads nicenum sizes, exact counts and a decimal comma', () => {
    expect(
      ['0B', '512B', '1M', '33.4M', '2.60K', '100980', '6.73G', '12,8T', '-', 'x'].map(parseSize),
    ).toEqual([
      0,
      512,
      2 ** 20,
      Math.round(33.4 * 2 ** 20),
      2662,
      100980,
      Math.round(6.73 * 2 ** 30),
      Math.round(12.8 * 2 ** 40),
      undefined,
      undefined,
    ]);
  });

  it('reads durations in the 2.x and the pre-0.8 forms', () => {
    expect(
      ['00:04:06', '1 days 14:05:30', '0 days 00:19:47', '14h7m', '0h0m', '5 minutes'].map(parseDuration),
    ).toEqual([246, 137130, 1187, 50820, 0, undefined]);
  });

  it('reads ctime dates with a padded day or a zone name, and refuses impossible ones', () => {
    expect(parseCtime('Sun Nov  9 00:24:01 2025', utcTime)).toBe(1762647841);
    expect(parseCtime('Sun Nov 16 08:00:01 CET 2025', utcTime)).toBe(1763280001);
    expect(parseCtime('Mon Feb 30 00:00:00 2025', utcTime)).toBeUndefined();
    expect(parseCtime('yesterday', utcTime)).toBeUndefined();
  });

  it('reads local time in the process time zone', () => {
    const local = parseCtime('Tue Feb 25 15:46:08 2025', processLocalTime);
    expect(local).toBe(new Date(2025, 1, 25, 15, 46, 8).getTime() / 1000);
  });
});
