import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSelfTestLog, parseSelfTestStart } from './parse.js';
import type { SelfTestLogReply } from './types.js';

const dir = new URL('./fixtures/', import.meta.url);
const text = (file: string) => readFileSync(new URL(file, dir), 'utf8');
const recordedStatus = (t: string) => Number(/"exit_status":\s*(\d+)/.exec(t)?.[1] ?? 0);

function reply(file: string): SelfTestLogReply {
  const t = text(file);
  const r = parseSelfTestLog(t, recordedStatus(t));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function log(file: string) {
  const r = reply(file);
  if (r.kind !== 'log') throw new Error(`${file}: ${r.kind}`);
  return r;
}

describe('parseSelfTestLog', () => {
  it('reads the ATA extended log of a Samsung 860 (19 passing tests, newest first)', () => {
    const r = log('smartctl-l-selftest-ata-samsung860-smartctl70.json');
    expect(r.protocol).toBe('ata');
    expect(r.entries).toHaveLength(19);
    expect(r.entries.filter((e) => e.kind === 'long')).toHaveLength(3);
    expect(r.entries[0]).toEqual({
      kind: 'short',
      kindText: 'Short offline',
      status: 'passed',
      statusText: 'Completed without error',
      powerOnHours: 14417,
      remainingRatio: undefined,
      failingLba: undefined,
    });
    expect(r.entries[3]).toMatchObject({ kind: 'long', status: 'passed', powerOnHours: 12667 });
    expect(r.inProgress).toBeUndefined();
  });

  it('reads an ATA read failure with the LBA and what was left of the test', () => {
    const r = log('smartctl-l-selftest-ata-read-failure-usbjmicron.json');
    expect(r.entries.map((e) => [e.kind, e.status, e.powerOnHours])).toEqual([
      ['short', 'passed', 42],
      ['short', 'passed', 18],
      ['long', 'failed', 4],
    ]);
    expect(r.entries[2]).toMatchObject({
      statusText: 'Completed: read failure',
      remainingRatio: 0.9,
      failingLba: 104870168,
    });
    // The `-a` run's exit status (216) has no command-failure bits: the log is data.
    expect(r.exitStatus).toBe(216);
  });

  it('sees an ATA test in progress from its log row (status 0xF9)', () => {
    const r = log('smartctl-l-selftest-ata-running.json');
    expect(r.protocol).toBe('ata');
    expect(r.entries[0]).toMatchObject({ status: 'in_progress', remainingRatio: 0.41 });
    // Type code 1 is a short test whatever the words say.
    expect(r.inProgress).toEqual({ kind: 'short', kindText: 'Offline', remainingRatio: 0.41 });
  });

  it('reads an idle NVMe drive with an empty log', () => {
    const r = log('smartctl-l-selftest-nvme-idle-smartctl74.json');
    expect(r).toMatchObject({ protocol: 'nvme', entries: [], exitStatus: 0 });
    expect(r.inProgress).toBeUndefined();
  });

  it('reads the NVMe log of two passing tests', () => {
    const r = log('smartctl-l-selftest-nvme-two-passed.json');
    expect(r.entries).toEqual([
      {
        kind: 'short',
        kindText: 'Short',
        status: 'passed',
        statusText: 'Completed without error',
        powerOnHours: 23575,
        failingLba: undefined,
      },
      {
        kind: 'long',
        kindText: 'Extended',
        status: 'passed',
        statusText: 'Completed without error',
        powerOnHours: 23335,
        failingLba: undefined,
      },
    ]);
  });

  it('reads a running NVMe extended test and failed, aborted and passed entries', () => {
    const r = log('smartctl-l-selftest-nvme-running-failed-segment.json');
    expect(r.inProgress).toEqual({
      kind: 'long',
      kindText: 'Extended self-test in progress',
      remainingRatio: 0.7,
    });
    expect(r.entries.map((e) => [e.kind, e.status, e.failingLba ?? null])).toEqual([
      ['short', 'failed', 123456],
      ['long', 'aborted', null],
      ['short', 'passed', null],
    ]);
  });

  it('reads the SCSI results log, keeping a reserved code as unknown', () => {
    const r = log('smartctl-l-selftest-sas-smartctl74.json');
    expect(r.protocol).toBe('scsi');
    expect(r.entries.map((e) => [e.kind, e.kindText, e.status, e.powerOnHours])).toEqual([
      ['long', 'Background long', 'passed', 90],
      ['long', 'Background long', 'passed', 66],
      ['unknown', 'Reserved(7)', 'passed', 5],
      ['short', 'Background short', 'passed', 2],
    ]);
  });

  it('leaves a sleeping disk alone', () => {
    expect(reply('smartctl-l-selftest-standby-sata-smartctl75.json')).toEqual({
      kind: 'standby',
      powerMode: 'STANDBY',
      exitStatus: 2,
    });
    expect(parseSelfTestLog('Device is in STANDBY mode, exit(2)\n', 2)).toEqual({
      ok: true,
      value: { kind: 'standby', powerMode: 'STANDBY', exitStatus: 2 },
    });
  });

  it("reports smartctl's reason when the device cannot be opened", () => {
    expect(reply('smartctl-l-selftest-open-failed-enodev-debian12.json')).toEqual({
      kind: 'failed',
      exitStatus: 2,
      message: 'Smartctl open device: /dev/sdz failed: No such device',
    });
  });

  it('rejects output that is not JSON with a parse error', () => {
    const r = parseSelfTestLog('garbage\n', 0);
    expect(r).toEqual({
      ok: false,
      error: { kind: 'parse', message: 'smartctl -l selftest: not a JSON object (starts "garbage")' },
    });
  });

  const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('never throws on random text or any JSON value', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        fc.nat(255),
        (t, s) => {
          const r = parseSelfTestLog(t, s);
          expect(typeof r.ok).toBe('boolean');
        },
      ),
    );
  });

  it('never throws when a fixture is cut short or has values replaced by random JSON', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.nat(),
        fc.jsonValue(),
        fc.integer({ min: 0, max: 255 }),
        (file, cut, junk, status) => {
          const t = text(file);
          parseSelfTestLog(t.slice(0, cut % (t.length + 1)), status);
          const json = JSON.parse(t) as Record<string, unknown>;
          for (const key of Object.keys(json)) {
            const r = parseSelfTestLog(JSON.stringify({ ...json, [key]: junk }), status);
            if (r.ok && r.value.kind === 'log')
              for (const e of r.value.entries) {
                expect(
                  e.remainingRatio === undefined || (e.remainingRatio >= 0 && e.remainingRatio <= 1),
                ).toBe(true);
                expect(e.powerOnHours === undefined || e.powerOnHours >= 0).toBe(true);
              }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('parseSelfTestStart', () => {
  it('reads an ATA short test that began, with its expected duration', () => {
    expect(parseSelfTestStart(text('smartctl-t-short-ata-started.txt'), 0)).toEqual({
      outcome: 'started',
      message:
        'Testing has begun. Please wait 2 minutes for test to complete. Test will complete after Thu Nov 26 10:02:31 2026',
      expectedMinutes: 2,
    });
  });

  it('reads an NVMe test that began (no duration printed)', () => {
    expect(parseSelfTestStart(text('smartctl-t-long-nvme-started.txt'), 0)).toEqual({
      outcome: 'started',
      message: 'Self-test has begun',
      expectedMinutes: undefined,
    });
  });

  it('reads a SAS extended background test that began', () => {
    expect(parseSelfTestStart(text('smartctl-t-long-sas-started.txt'), 0)).toMatchObject({
      outcome: 'started',
      expectedMinutes: 134,
    });
  });

  it('sees a test already running, with how much of it is left', () => {
    expect(parseSelfTestStart(text('smartctl-t-short-ata-busy-exit4.txt'), 4)).toEqual({
      outcome: 'busy',
      message:
        "Can't start self-test without aborting current test (90% remaining), add '-t force' option to override, or run 'smartctl -X' to abort test.",
      remainingRatio: 0.9,
    });
  });

  it('sees a disk that cannot self-test', () => {
    expect(parseSelfTestStart(text('smartctl-t-short-scsi-unsupported-exit4.txt'), 4)).toEqual({
      outcome: 'unsupported',
      message: 'Short offline self test failed [unsupported scsi opcode]',
    });
  });

  it('passes on the reason a device could not be opened', () => {
    expect(parseSelfTestStart(text('smartctl-t-short-open-failed-exit2.txt'), 2)).toEqual({
      outcome: 'failed',
      message: 'Smartctl open device: /dev/sdz failed: No such device',
    });
    expect(parseSelfTestStart('', 1)).toEqual({
      outcome: 'failed',
      message: 'smartctl exited with status 1',
    });
  });

  it('never claims a start when smartctl failed, and never throws', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 255 }), (t, s) => {
        const r = parseSelfTestStart(t, s);
        if (r.outcome === 'started') expect(s & 3).toBe(0);
        expect(r.message.length).toBeGreaterThan(0);
        expect(r.message.length).toBeLessThanOrEqual(500);
      }),
    );
  });
});
