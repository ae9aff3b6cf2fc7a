import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createExec } from '../exec.js';
import { readText } from '../read.js';
import type { SourceContext } from '../source.js';
import { createIpmiSource } from './index.js';

/** tests/fake-bin stand-ins, run through the real createExec (spawn, timeout, process-group kill). */
const fakeBin = (name: string) =>
  fileURLToPath(new URL(`../../../../tests/fake-bin/${name}`, import.meta.url));

function contextWith(ipmitool: string, signal = new AbortController().signal): SourceContext {
  return {
    paths: { procfs: '/nonexistent', sysfs: '/nonexistent', rootfs: '/' },
    exec: createExec({ ipmitool }),
    readText,
    signal,
    now: () => 0,
    logger: pino({ level: 'silent' }),
  };
}

describe('ipmi source through stand-in ipmitool executables', () => {
  it('runs `ipmitool sensor` and parses the recorded Supermicro list', async () => {
    const source = createIpmiSource();
    expect([source.name, source.intervalSeconds, source.timeoutSeconds]).toEqual(['ipmi', 60, 20]);
    const r = await source.collect(contextWith(fakeBin('ipmitool-supermicro')));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.sensors).toHaveLength(56);
    expect(r.value.sensors.find((s) => s.sensor === 'CPU2 Temp')).toMatchObject({ value: 33, status: 'nr' });
  });

  it('is absent without a BMC (recorded Debian 12 message, exit 1) and without ipmitool', async () => {
    expect(await createIpmiSource().collect(contextWith(fakeBin('ipmitool-no-bmc')))).toEqual({
      ok: false,
      error: {
        kind: 'absent',
        message:
          'ipmitool: no BMC (Could not open device at /dev/ipmi0 or /dev/ipmi/0 or /dev/ipmidev/0: No such file or directory)',
      },
    });
    expect(await createIpmiSource().collect(contextWith('/nonexistent/ipmitool'))).toMatchObject({
      ok: false,
      error: { kind: 'absent' },
    });
  });

  it('reports garbage with a failing exit as an exit error, with the reason', async () => {
    expect(await createIpmiSource().collect(contextWith(fakeBin('ipmitool-garbage')))).toEqual({
      ok: false,
      error: { kind: 'exit', message: 'ipmitool sensor exited 1: Unable to open SDR for reading' },
    });
  });

  it('gives up on a hung ipmitool at the deadline and kills it', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'proxmon-ipmi-')), 'pid');
    process.env.HANG_PID_FILE = pidFile;
    try {
      const t0 = performance.now();
      const r = await createIpmiSource().collect(
        contextWith(fakeBin('ipmitool-hang'), AbortSignal.timeout(500)),
      );
      expect(r).toMatchObject({ ok: false, error: { kind: 'timeout' } });
      expect(performance.now() - t0).toBeLessThan(3000);
      expect(existsSync(pidFile)).toBe(true);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      delete process.env.HANG_PID_FILE;
    }
  });
});
