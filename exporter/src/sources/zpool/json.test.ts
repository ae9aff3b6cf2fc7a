import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseZpoolStatusJson } from './json.js';
import type { ZpoolStatusPool } from './types.js';
import { utcTime } from './units.js';

const parse = (file: string): ZpoolStatusPool[] => {
  const r = parseZpoolStatusJson(
    readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8'),
    utcTime,
  );
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('parseZpoolStatusJson', () => {
  it('reads --json-int output of four PVE pools: integers, epoch times, dRAID, an NVMe without a serial link', () => {
    const pools = parse('zpool-status-j-json-int-pve-4pools.json');
    expect(pools.map((p) => [p.name, p.state, p.dataErrors, p.vdevs.length])).toEqual([
      ['rpool', 'ONLINE', 0, 4],
      ['zpool-hdd', 'ONLINE', 0, 10],
      ['zpool-nvme', 'ONLINE', 0, 2],
      ['zpool-ssd', 'ONLINE', 0, 10],
    ]);
    expect(pools[0]?.scans).toEqual([
      {
        function: 'resilver',
        state: 'finished',
        paused: false,
        startTime: 1764065040,
        endTime: 1764065040,
        durationSeconds: 0,
        errors: 0,
        processedBytes: 293425152,
        text: expect.any(String) as unknown as string,
      },
    ]);
    expect(pools[1]?.scans[0]).toMatchObject({
      function: 'scrub',
      state: 'finished',
      startTime: 1764050402,
      endTime: 1764050414,
    });
    expect(pools[1]?.vdevs.slice(0, 3).map((v) => [v.label, v.type, v.depth, v.parent, v.devid])).toEqual([
      ['zpool-hdd', 'root', 0, undefined, undefined],
      ['draid1:7d:8c:0s-0', 'draid', 1, 'zpool-hdd', undefined],
      [
        'wwn-0x5000cca222cfba91',
        'disk',
        2,
        'draid1:7d:8c:0s-0',
        'ata-Hitachi_HDS722020ALA330_JK1101B9H3LMNF-part1',
      ],
    ]);
    expect(pools[0]?.vdevs[2]).toMatchObject({
      name: 'wwn-0x5002538f55117008-part3',
      state: 'ONLINE',
      readErrors: 0,
      writeErrors: 0,
      checksumErrors: 0,
      path: '/dev/disk/by-id/wwn-0x5002538f55117008-part3',
      leaf: true,
    });
  });

  it('reads the string form (default -j): sizes like "8.29G" and local-time dates with a zone name', () => {
    const pools = parse('zpool-status-j-pve-2pools.json');
    expect(pools.map((p) => p.name)).toEqual(['rpool', 'zpool-nvme']);
    expect(pools[0]?.scans[0]).toMatchObject({
      function: 'scrub',
      state: 'finished',
      startTime: 1763280001, // "Sun Nov 16 08:00:01 CET 2025", zone ignored, read as UTC here
      endTime: 1763280021,
      durationSeconds: 20,
      errors: 0,
      processedBytes: 0,
      paused: false,
    });
    expect(pools[1]?.vdevs.map((v) => [v.label, v.devid])).toEqual([
      ['zpool-nvme', undefined],
      ['nvme0n1', 'nvme-Seagate_FireCuda_530_ZP4000GM30013_7VS010DE-part1'],
    ]);
  });

  it('reads dedup and special class vdevs of the man page example, HEALTHY as ONLINE', () => {
    const [p] = parse('zpool-status-j-man-example-special-dedup.json');
    expect(p?.scans).toEqual([]);
    expect(p?.vdevs.map((v) => `${v.class} ${v.label} ${v.state} d${v.depth} ${v.parent ?? '-'}`)).toEqual([
      'normal tank ONLINE d0 -',
      'normal raidz1-0 ONLINE d1 tank',
      'normal ca1eb824-c371-491d-ac13-37637e35c683 ONLINE d2 raidz1-0',
      'normal 97cd98fb-8fb8-4ac4-bc84-bd8950a7ace7 ONLINE d2 raidz1-0',
      'normal e9ddba5f-f948-4734-a472-cb8aa5f0ff65 ONLINE d2 raidz1-0',
      'dedup mirror-2 ONLINE d1 -',
      'dedup db017360-d8e9-4163-961b-144ca75293a3 ONLINE d2 mirror-2',
      'dedup 952c3baf-b08a-4a8c-b7fa-33a07af5fe6f ONLINE d2 mirror-2',
      'special 25d418f8-92bd-4327-b59f-7ef5d5f50d81 ONLINE d1 -',
    ]);
    expect(p?.status).toBeUndefined(); // "OK" is not a problem to report
  });

  it('reads a scrub in progress, a paused one, spares and a reason code', () => {
    const r = parseZpoolStatusJson(
      JSON.stringify({
        pools: {
          tank: {
            name: 'tank',
            state: 'DEGRADED',
            status: 'FAULTED_DEV_R',
            scan_stats: {
              function: 'SCRUB',
              state: 'SCANNING',
              start_time: 1700000000,
              end_time: 0,
              to_examine: 1000,
              examined: 600,
              skipped: 200,
              processed: 0,
              errors: 0,
              issued: 400,
              scrub_pause: 1700000500,
            },
            vdevs: {
              tank: {
                name: 'tank',
                vdev_type: 'root',
                state: 'DEGRADED',
                vdevs: {
                  'mirror-0': {
                    name: 'mirror-0',
                    vdev_type: 'mirror',
                    state: 'DEGRADED',
                    vdevs: {
                      'spare-1': {
                        name: 'spare-1',
                        vdev_type: 'spare',
                        state: 'DEGRADED',
                        vdevs: {
                          sdb: { name: 'sdb', vdev_type: 'disk', state: 'FAULTED', read_errors: 3 },
                          sdc: { name: 'sdc', vdev_type: 'disk', state: 'ONLINE' },
                        },
                      },
                    },
                  },
                },
              },
            },
            spares: { sdc: { name: 'sdc', vdev_type: 'disk', state: 'INUSE' } },
            error_count: 2,
          },
        },
      }),
      utcTime,
    );
    if (!r.ok) throw new Error(r.error.message);
    const [p] = r.value;
    expect([p?.state, p?.status, p?.dataErrors]).toEqual(['DEGRADED', 'FAULTED_DEV_R', 2]);
    expect(p?.scans[0]).toMatchObject({
      function: 'scrub',
      state: 'scanning',
      paused: true,
      pausedSince: 1700000500,
      startTime: 1700000000,
      progressRatio: 0.5, // issued / (to_examine - skipped), as zpool status computes it
      scannedBytes: 600,
      issuedBytes: 400,
    });
    expect(p?.vdevs.map((v) => `${v.label} ${v.state} ${v.readErrors ?? '-'}`)).toEqual([
      'tank DEGRADED -',
      'mirror-0 DEGRADED -',
      'spare-1 DEGRADED -',
      'sdb FAULTED 3',
      'spare-1/sdc ONLINE -',
      'sdc INUSE -',
    ]);
  });

  it('is zero pools for empty output or no "pools", and a parse error for broken JSON', () => {
    expect(parseZpoolStatusJson('')).toEqual({ ok: true, value: [] });
    expect(parseZpoolStatusJson('{"output_version":{}}')).toEqual({ ok: true, value: [] });
    expect(parseZpoolStatusJson('{"pools":')).toMatchObject({ ok: false, error: { kind: 'parse' } });
    expect(parseZpoolStatusJson('[1]')).toMatchObject({ ok: false, error: { kind: 'parse' } });
    expect(parseZpoolStatusJson('{"pools":3}')).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });

  it('never throws on random JSON, nor on a recorded file cut short', () => {
    const recorded = readFileSync(
      new URL('./fixtures/zpool-status-j-json-int-pve-4pools.json', import.meta.url),
      'utf8',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify({ pools: { p: v } })),
          fc
            .jsonValue()
            .map((v) => JSON.stringify({ pools: { p: { name: 'p', vdevs: { p: v }, scan_stats: v } } })),
          fc.nat().map((n) => recorded.slice(0, n % recorded.length)),
          fc.string(),
        ),
        (input) => {
          const r = parseZpoolStatusJson(input, utcTime);
          if (!r.ok) expect(r.error.kind).toBe('parse');
          else
            for (const p of r.value) expect(new Set(p.vdevs.map((v) => v.label)).size).toBe(p.vdevs.length);
        },
      ),
    );
  });
});
