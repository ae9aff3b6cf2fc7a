import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExec, type Exec } from '../exec.js';
import { fail, ok, type SourceContext } from '../source.js';
import { sourceContext } from '../../test-support/source-context.js';
import { createLatencySource } from './index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'proxmon-latency-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function context(exec: Exec, routeTable?: string): SourceContext {
  const procfs = join(dir, 'proc');
  if (routeTable !== undefined) {
    mkdirSync(join(procfs, 'net'), { recursive: true });
    writeFileSync(join(procfs, 'net', 'route'), routeTable);
  }
  return sourceContext({ paths: { procfs, sysfs: join(dir, 'sys'), rootfs: dir }, exec, now: Date.now });
}

describe('latency source', () => {
  // Our machines send nothing beyond loopback: 127.0.0.1 is the only address a test may ping.
  it('pings 127.0.0.1 with the real ping', async () => {
    const r = await createLatencySource({ targets: ['127.0.0.1'] }).collect(context(createExec()));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.targets).toHaveLength(1);
    const [t] = r.value.targets;
    expect(t).toMatchObject({
      target: '127.0.0.1',
      address: '127.0.0.1',
      transmitted: 5,
      received: 5,
      lossRatio: 0,
    });
    expect(t?.rtt?.avgSeconds).toBeGreaterThan(0);
    expect(t?.rtt?.avgSeconds).toBeLessThan(0.1);
  });

  it('pings the default gateway under the label "gateway"', async () => {
    const calls: string[][] = [];
    const exec: Exec = async (tool, args) => {
      calls.push([tool, ...args]);
      return ok({
        stdout: fixture('ping-partial-loss-constructed.txt'),
        stderr: '',
        exitCode: 0,
        durationMs: 800,
      });
    };
    const r = await createLatencySource().collect(context(exec, fixture('proc-net-route-default-gw.txt')));
    expect(calls).toEqual([['ping', '-n', '-q', '-c', '5', '-i', '0.2', '-W', '1', '--', '192.0.2.1']]);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.targets).toMatchObject([{ target: 'gateway', address: '192.0.2.1', lossRatio: 0.4 }]);
  });

  it('has nothing to ping without a default route', async () => {
    const exec: Exec = async () => fail('io', 'must not run');
    const noDefault = fixture('proc-net-route-no-default-constructed.txt');
    expect(await createLatencySource().collect(context(exec, noDefault))).toEqual(ok({ targets: [] }));
    expect(await createLatencySource().collect(context(exec))).toEqual(ok({ targets: [] }));
  });

  it('keeps going per target: total loss, an unknown host and a timeout', async () => {
    const exec: Exec = async (_tool, args) => {
      const target = args[args.length - 1];
      if (target === 'lost') {
        return ok({
          stdout: fixture('ping-all-lost-constructed.txt'),
          stderr: '',
          exitCode: 1,
          durationMs: 1,
        });
      }
      if (target === 'nosuch.invalid') {
        const stderr = fixture('ping-unknown-host-constructed.stderr.txt');
        return ok({ stdout: '', stderr, exitCode: 2, durationMs: 1 });
      }
      return fail('timeout', 'ping: timed out after 10000 ms');
    };
    const r = await createLatencySource({ targets: ['lost', 'nosuch.invalid', 'slow'] }).collect(
      context(exec),
    );
    expect(r).toEqual(
      ok({
        targets: [
          { target: 'lost', address: 'lost', transmitted: 5, received: 0, lossRatio: 1 },
          {
            target: 'nosuch.invalid',
            address: 'nosuch.invalid',
            error: 'ping: nosuch.invalid: Name or service not known',
          },
          { target: 'slow', address: 'slow', error: 'ping: timed out after 10000 ms' },
        ],
      }),
    );
  });

  it('is absent when ping is not installed', async () => {
    const exec = createExec({ ping: join(dir, 'no-such-ping') });
    expect(await createLatencySource({ targets: ['127.0.0.1'] }).collect(context(exec))).toEqual(
      fail('absent', 'ping: not installed'),
    );
  });
});
