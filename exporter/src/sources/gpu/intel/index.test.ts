import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExec } from '../../exec.js';
import { fail, type Result } from '../../source.js';
import { sourceContext } from '../../../test-support/source-context.js';
import type { GpuSnapshot } from '../types.js';
import { createIntelGpuSource } from './index.js';

const fakeBin = (name: string) =>
  fileURLToPath(new URL(`../../../../../tests/fake-bin/${name}`, import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'proxmon-intelgpu-'));
});
afterEach(() => {
  delete process.env.INTEL_GPU_TOP_LOG;
  delete process.env.INTEL_GPU_TOP_FIXTURE;
  rmSync(dir, { recursive: true, force: true });
});

/** A sysfs with one DRM card per entry: [card number, uevent text]. */
function sysfs(cards: [number, string][]): string {
  const root = join(dir, 'sys');
  for (const [n, uevent] of cards) {
    mkdirSync(join(root, 'class/drm', `card${n}`, 'device'), { recursive: true });
    writeFileSync(join(root, 'class/drm', `card${n}`, 'device/uevent'), uevent);
  }
  return root;
}

const IGPU = 'DRIVER=i915\nPCI_ID=8086:46A6\nPCI_SLOT_NAME=0000:00:02.0\n';
const ARC = 'DRIVER=xe\nPCI_ID=8086:E20B\nPCI_SLOT_NAME=0000:03:00.0\n';
const NVIDIA = 'DRIVER=nvidia\nPCI_ID=10DE:2330\nPCI_SLOT_NAME=0000:00:06.0\n';

const context = (sys: string) => sourceContext({ paths: { sysfs: sys }, exec: createExec(), now: Date.now });

function valueOf(r: Result<GpuSnapshot>): GpuSnapshot {
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return r.value;
}

// Short samples keep the runs (two periods plus 0.4 s under `timeout`) near a second.
const source = (name: string) => createIntelGpuSource({ command: fakeBin(name), sampleMs: 200 });

describe('intelgpu source through timeout(1), a stand-in intel_gpu_top and the real exec', () => {
  it('stops the stream with SIGINT and reads the last sample of the only Intel card', async () => {
    const log = join(dir, 'argv.log');
    process.env.INTEL_GPU_TOP_LOG = log;
    const s = source('intel_gpu_top-stream');
    expect([s.name, s.intervalSeconds, s.timeoutSeconds]).toEqual(['intelgpu', 10, 5]);
    const t0 = Date.now();
    const snap = valueOf(
      await s.collect(
        context(
          sysfs([
            [0, IGPU],
            [1, NVIDIA],
          ]),
        ),
      ),
    );
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(readFileSync(log, 'utf8')).toBe('-J -s 200\n');
    expect(snap.gpus).toHaveLength(1);
    expect(snap.gpus[0]).toMatchObject({
      id: '0000:00:02.0',
      vendor: 'intel',
      index: 0,
      driver: 'i915',
      utilizationRatio: 0.04,
      rc6Ratio: 1,
      packagePowerWatts: 36.407762,
      engines: [
        { engine: 'render', busyRatio: 0.01 },
        { engine: 'blitter', busyRatio: 0.02 },
        { engine: 'video', busyRatio: 0.03 },
        { engine: 'video_enhance', busyRatio: 0.04 },
      ],
    });
  });

  it('selects each card with -d when there are several, in any framing', async () => {
    const log = join(dir, 'argv.log');
    process.env.INTEL_GPU_TOP_LOG = log;
    process.env.INTEL_GPU_TOP_FIXTURE = 'intel_gpu_top-J-stream-igt1.17-concatenated.txt';
    const snap = valueOf(
      await source('intel_gpu_top-stream').collect(
        context(
          sysfs([
            [0, IGPU],
            [1, ARC],
          ]),
        ),
      ),
    );
    expect(snap.gpus.map((g) => [g.id, g.driver, g.utilizationRatio])).toEqual([
      ['0000:00:02.0', 'i915', 0.04],
      ['0000:03:00.0', 'xe', 0.04],
    ]);
    expect(readFileSync(log, 'utf8').trim().split('\n').sort()).toEqual([
      '-J -s 200 -d drm:/dev/dri/card0',
      '-J -s 200 -d drm:/dev/dri/card1',
    ]);
  });

  it('keeps what arrived from a tool that ignores SIGINT and had to be killed', async () => {
    const snap = valueOf(await source('intel_gpu_top-ignores-sigint').collect(context(sysfs([[0, IGPU]]))));
    expect(snap.gpus[0]?.engines[0]).toEqual({ engine: 'render', busyRatio: 0.02 });
  });

  it('is a parse error when a hung tool printed nothing', async () => {
    expect(await source('hang').collect(context(sysfs([[0, IGPU]])))).toEqual(
      fail('parse', 'intel_gpu_top -J: no complete sample in the output'),
    );
  });

  it('reports the PMU error of a tool without permission', async () => {
    expect(await source('intel_gpu_top-no-pmu').collect(context(sysfs([[0, IGPU]])))).toEqual(
      fail(
        'exit',
        `${fakeBin('intel_gpu_top-no-pmu')} exited 1: Failed to initialize PMU! (Permission denied)`,
      ),
    );
  });

  it('is absent without an Intel card (the tool is not run) or without the tool', async () => {
    expect(await source('intel_gpu_top-stream').collect(context(sysfs([[0, NVIDIA]])))).toEqual(
      fail('absent', 'no Intel GPU (i915, xe) in /sys/class/drm'),
    );
    const missing = createIntelGpuSource({ command: join(dir, 'no-such-tool'), sampleMs: 100 });
    expect(await missing.collect(context(sysfs([[0, IGPU]])))).toMatchObject({
      ok: false,
      error: { kind: 'absent' },
    });
  });
});
