import { existsSync, readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import { parseFileNr } from '../sources/filefd/parse.js';
import { KSM_FILES, parseKsm, type KsmFile } from '../sources/ksm/parse.js';
import { parseSoftirqs } from '../sources/softirqs/parse.js';
import type { Result } from '../sources/source.js';
import { parseVmstat } from '../sources/vmstat/parse.js';
import { metricNames, registerKernelMetrics } from './kernel.js';

const url = (source: string, name: string) =>
  new URL(`../sources/${source}/fixtures/${name}`, import.meta.url);
const fixture = (source: string, name: string) => readFileSync(url(source, name), 'utf8');

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function ksmFiles(root: string): Partial<Record<KsmFile, string>> {
  const out: Partial<Record<KsmFile, string>> = {};
  for (const f of KSM_FILES) {
    const file = url('ksm', `${root}/sys/kernel/mm/ksm/${f}`);
    if (existsSync(file)) out[f] = readFileSync(file, 'utf8');
  }
  return out;
}

function cache(values: Record<string, unknown>): SnapshotCache {
  const c = new SnapshotCache(() => 1_000);
  for (const [name, v] of Object.entries(values)) {
    c.register(name, 60_000);
    c.recordSuccess(name, v, 0.01);
  }
  return c;
}

async function render(c: SnapshotCache): Promise<string[]> {
  const registry = new Registry();
  registerKernelMetrics(registry, c);
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('kernel metrics', () => {
  it('renders every kernel series from fixture-parsed snapshots of a busy PVE host', async () => {
    const c = cache({
      vmstat: value(parseVmstat(fixture('vmstat', 'proc-vmstat-pve-host-swapping-oom-constructed.txt'))),
      filefd: value(parseFileNr(fixture('filefd', 'proc-sys-fs-file-nr-debian12-vm.txt'))),
      softirqs: value(parseSoftirqs(fixture('softirqs', 'proc-softirqs-debian12-vm-2cpu.txt'))),
      ksm: value(parseKsm(ksmFiles('root-pve8-kernel6.8-running-constructed'), 4096)),
    });
    expect(await render(c)).toEqual([
      'proxmon_memory_page_faults_total{kind="minor"} 98119551672',
      'proxmon_memory_page_faults_total{kind="major"} 3905117',
      'proxmon_memory_paged_bytes_total{direction="in"} 935163670528',
      'proxmon_memory_paged_bytes_total{direction="out"} 2192371725312',
      'proxmon_swap_pages_total{direction="in"} 4412981',
      'proxmon_swap_pages_total{direction="out"} 7738102',
      'proxmon_oom_kills_total 3',
      'proxmon_filefd_allocated 558',
      'proxmon_filefd_maximum 2466160',
      'proxmon_softirqs_total{type="HI"} 0',
      'proxmon_softirqs_total{type="TIMER"} 331725',
      'proxmon_softirqs_total{type="NET_TX"} 6',
      'proxmon_softirqs_total{type="NET_RX"} 40869',
      'proxmon_softirqs_total{type="BLOCK"} 50731',
      'proxmon_softirqs_total{type="IRQ_POLL"} 0',
      'proxmon_softirqs_total{type="TASKLET"} 3',
      'proxmon_softirqs_total{type="SCHED"} 272529',
      'proxmon_softirqs_total{type="HRTIMER"} 22',
      'proxmon_softirqs_total{type="RCU"} 35063340',
      'proxmon_ksm_running 1',
      'proxmon_ksm_pages_shared 187345',
      'proxmon_ksm_pages_sharing 1923456',
      'proxmon_ksm_pages_unshared 2345678',
      'proxmon_ksm_pages_volatile 34567',
      'proxmon_ksm_zero_pages 1024',
      'proxmon_ksm_full_scans_total 412',
      'proxmon_ksm_profit_bytes 7595243136',
      'proxmon_ksm_sharing_bytes 7878475776',
    ]);
  });

  it('leaves out what an older kernel does not say: oom_kill before 4.13, KSM profit before 6.4', async () => {
    const c = cache({
      vmstat: value(
        parseVmstat(fixture('vmstat', 'proc-vmstat-pve5.0-kernel4.10-no-oom-kill-constructed.txt')),
      ),
      ksm: value(parseKsm(ksmFiles('root-pve8.0-kernel6.2-running-constructed'))),
    });
    const lines = await render(c);
    expect(lines.filter((l) => /oom|ksm/.test(l))).toEqual([
      'proxmon_ksm_running 1',
      'proxmon_ksm_pages_shared 98304',
      'proxmon_ksm_pages_sharing 1048576',
      'proxmon_ksm_pages_unshared 412345',
      'proxmon_ksm_pages_volatile 12345',
      'proxmon_ksm_full_scans_total 57',
    ]);
    expect(lines).toContain('proxmon_swap_pages_total{direction="out"} 9410');
  });

  it('keeps a stopped KSM as 0 and a negative profit as it is', async () => {
    const stopped = await render(cache({ ksm: value(parseKsm(ksmFiles('root-debian12-vm-off'), 4096)) }));
    expect(stopped).toContain('proxmon_ksm_running 0');
    expect(stopped).toContain('proxmon_ksm_sharing_bytes 0');
    const losing = await render(
      cache({ ksm: value(parseKsm(ksmFiles('root-kernel6.8-negative-profit-constructed'))) }),
    );
    expect(losing).toContain('proxmon_ksm_profit_bytes -6130944');
  });

  it('renders no samples before any source has reported', async () => {
    expect(await render(new SnapshotCache())).toEqual([]);
  });

  it('declares exactly its metricNames, counters as counters', async () => {
    const registry = new Registry();
    registerKernelMetrics(registry, new SnapshotCache());
    const families = (await registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]);
    expect(families.map(([name]) => name)).toEqual([...metricNames]);
    for (const [name, type] of families) expect(type).toBe(name?.endsWith('_total') ? 'counter' : 'gauge');
  });
});
