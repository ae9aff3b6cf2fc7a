import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import type { GpuSnapshot } from '../sources/gpu/index.js';
import { intelGpu, parseDrmUevent, parseIntelGpuTopStream } from '../sources/gpu/intel/parse.js';
import { fieldsFromHeader, parseComputeAppsCsv, parseQueryGpuCsv } from '../sources/gpu/nvidia/parse.js';
import type { Result } from '../sources/source.js';
import { metricNames, registerGpuMetrics } from './gpu.js';

const fixture = (path: string) => readFileSync(new URL(`../sources/gpu/${path}`, import.meta.url), 'utf8');

function valueOf<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** The H200 under load, as the live run read it, with its one CUDA process. */
function h200Load(): GpuSnapshot {
  const fields = fixture('nvidia/fixtures/nvidia-smi-h200-query-source-fields.txt').trim().split(',');
  return {
    gpus: valueOf(
      parseQueryGpuCsv(fixture('nvidia/fixtures/nvidia-smi-h200-query-source-load-nounits.csv'), fields),
    ),
    processes: valueOf(
      parseComputeAppsCsv(fixture('nvidia/fixtures/nvidia-smi-h200-query-compute-apps-load-nounits.csv')),
    ),
  };
}

/** An every-field capture with units (header + one row). */
function fromCapture(path: string): GpuSnapshot {
  const [header = '', row = ''] = fixture(path).split('\n');
  return { gpus: valueOf(parseQueryGpuCsv(row, fieldsFromHeader(header))) };
}

function intelIgpu(): GpuSnapshot {
  const card = parseDrmUevent(0, 'DRIVER=i915\nPCI_ID=8086:46A6\nPCI_SLOT_NAME=0000:00:02.0\n');
  const sample = valueOf(
    parseIntelGpuTopStream(fixture('intel/fixtures/intel_gpu_top-J-stream-igt1.18-comma.txt')),
  );
  if (!card) throw new Error('no card');
  return { gpus: [intelGpu(card, sample)] };
}

async function render(snapshots: { nvidia?: GpuSnapshot; intelgpu?: GpuSnapshot }): Promise<string[]> {
  const cache = new SnapshotCache(() => 0);
  cache.register('nvidia', 30_000);
  cache.register('intelgpu', 30_000);
  for (const [name, value] of Object.entries(snapshots)) cache.recordSuccess(name, value, 0.01);
  const registry = new Registry();
  registerGpuMetrics(registry, cache);
  expect((await registry.getMetricsAsJSON()).map((m) => m.name)).toEqual([...metricNames]);
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

const H200 = 'gpu="GPU-773cbcc2-735c-5eb6-d754-7a34642e3211"';
const IGPU = 'gpu="0000:00:02.0"';

describe('gpu metrics', () => {
  it('renders the H200 under load and an Intel iGPU', async () => {
    expect(await render({ nvidia: h200Load(), intelgpu: intelIgpu() })).toEqual(EXPECTED);
  });

  it('has no fan series for the H100 ([N/A]) but a 0 for the RTX 4080 SUPER at rest', async () => {
    const h100 = await render({ nvidia: fromCapture('nvidia/fixtures/nvidia-smi-query-all-idle.csv') });
    expect(h100.filter((l) => l.startsWith('proxmon_gpu_fan_ratio'))).toEqual([]);
    expect(h100).toContain('proxmon_gpu_power_watts{gpu="GPU-6e1f9a28-3d00-140e-ed41-553106267e02"} 132.43');
    expect(h100).toContain(
      'proxmon_gpu_memory_total_bytes{gpu="GPU-6e1f9a28-3d00-140e-ed41-553106267e02"} 85520809984',
    );
    const [header = '', row = ''] = readFileSync(
      new URL('../sources/gpu/nvidia/fixtures/nvidia-smi-capture-rtx4080super.txt', import.meta.url),
      'utf8',
    )
      .split('\n')
      .filter((l) => l.startsWith('timestamp, driver_version') || l.startsWith('2026/06/26 11:59:44.226'));
    const rtx = await render({ nvidia: { gpus: valueOf(parseQueryGpuCsv(row, fieldsFromHeader(header))) } });
    expect(rtx).toContain('proxmon_gpu_fan_ratio{gpu="GPU-00000000-0000-0000-0000-000000000000"} 0');
    expect(rtx.filter((l) => l.startsWith('proxmon_gpu_ecc_errors'))).toEqual([]);
  });

  it('renders nothing without fresh snapshots', async () => {
    expect(await render({})).toEqual([]);
  });
});

const EXPECTED = [
  `proxmon_gpu_info{${H200},index="0",name="NVIDIA H200",vendor="nvidia",driver="580.159.04",pci_bus="0000:00:06.0"} 1`,
  `proxmon_gpu_info{${IGPU},index="0",name="8086:46a6",vendor="intel",driver="i915",pci_bus="0000:00:02.0"} 1`,
  `proxmon_gpu_utilization_ratio{${H200}} 1`,
  `proxmon_gpu_utilization_ratio{${IGPU}} 0.04`,
  `proxmon_gpu_memory_utilization_ratio{${H200}} 0.07`,
  `proxmon_gpu_memory_used_bytes{${H200}} 1290797056`,
  `proxmon_gpu_memory_total_bytes{${H200}} 150754820096`,
  `proxmon_gpu_temperature_celsius{${H200}} 62`,
  `proxmon_gpu_memory_temperature_celsius{${H200}} 43`,
  `proxmon_gpu_power_watts{${H200}} 667.68`,
  `proxmon_gpu_power_watts{${IGPU}} 0`,
  `proxmon_gpu_power_limit_watts{${H200}} 700`,
  `proxmon_gpu_package_power_watts{${IGPU}} 36.407762`,
  `proxmon_gpu_clock_hertz{${H200},clock="graphics"} 1980000000`,
  `proxmon_gpu_clock_hertz{${H200},clock="sm"} 1980000000`,
  `proxmon_gpu_clock_hertz{${H200},clock="memory"} 3201000000`,
  `proxmon_gpu_clock_hertz{${H200},clock="video"} 1545000000`,
  `proxmon_gpu_clock_hertz{${IGPU},clock="graphics"} 0`,
  `proxmon_gpu_clock_max_hertz{${H200},clock="graphics"} 1980000000`,
  `proxmon_gpu_clock_max_hertz{${H200},clock="sm"} 1980000000`,
  `proxmon_gpu_clock_max_hertz{${H200},clock="memory"} 3201000000`,
  `proxmon_gpu_clock_requested_hertz{${IGPU},clock="graphics"} 0`,
  `proxmon_gpu_encoder_utilization_ratio{${H200}} 0`,
  `proxmon_gpu_decoder_utilization_ratio{${H200}} 0`,
  `proxmon_gpu_encoder_sessions{${H200}} 0`,
  `proxmon_gpu_ecc_errors{${H200},type="corrected"} 0`,
  `proxmon_gpu_ecc_errors{${H200},type="uncorrected"} 0`,
  `proxmon_gpu_performance_state{${H200}} 0`,
  `proxmon_gpu_clock_event_active{${H200},reason="gpu_idle"} 0`,
  `proxmon_gpu_clock_event_active{${H200},reason="applications_clocks_setting"} 0`,
  `proxmon_gpu_clock_event_active{${H200},reason="sw_power_cap"} 0`,
  `proxmon_gpu_clock_event_active{${H200},reason="hw_slowdown"} 0`,
  `proxmon_gpu_clock_event_active{${H200},reason="sync_boost"} 0`,
  `proxmon_gpu_clock_event_active{${H200},reason="sw_thermal_slowdown"} 0`,
  `proxmon_gpu_clock_event_active{${H200},reason="hw_thermal_slowdown"} 0`,
  `proxmon_gpu_clock_event_active{${H200},reason="hw_power_brake_slowdown"} 0`,
  `proxmon_gpu_clock_event_active{${H200},reason="display_clock_setting"} 0`,
  `proxmon_gpu_clock_event_seconds_total{${H200},reason="sw_power_cap"} 0`,
  `proxmon_gpu_clock_event_seconds_total{${H200},reason="sync_boost"} 0`,
  `proxmon_gpu_clock_event_seconds_total{${H200},reason="sw_thermal_slowdown"} 0`,
  `proxmon_gpu_clock_event_seconds_total{${H200},reason="hw_thermal_slowdown"} 0`,
  `proxmon_gpu_clock_event_seconds_total{${H200},reason="hw_power_brake_slowdown"} 0`,
  `proxmon_gpu_pcie_link_generation{${H200}} 5`,
  `proxmon_gpu_pcie_link_max_generation{${H200}} 5`,
  `proxmon_gpu_pcie_link_width{${H200}} 16`,
  `proxmon_gpu_pcie_link_max_width{${H200}} 16`,
  `proxmon_gpu_remapped_rows{${H200},type="correctable"} 0`,
  `proxmon_gpu_remapped_rows{${H200},type="uncorrectable"} 0`,
  `proxmon_gpu_remapped_rows_pending{${H200}} 0`,
  `proxmon_gpu_remapped_rows_failure{${H200}} 0`,
  `proxmon_gpu_engine_busy_ratio{${IGPU},engine="render"} 0.01`,
  `proxmon_gpu_engine_busy_ratio{${IGPU},engine="blitter"} 0.02`,
  `proxmon_gpu_engine_busy_ratio{${IGPU},engine="video"} 0.03`,
  `proxmon_gpu_engine_busy_ratio{${IGPU},engine="video_enhance"} 0.04`,
  `proxmon_gpu_rc6_ratio{${IGPU}} 1`,
  `proxmon_gpu_process_memory_used_bytes{${H200},pid="570",process="python3"} 1281359872`,
];
