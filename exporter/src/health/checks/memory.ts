import { MEMORY_SOURCE, type MemorySnapshot } from '../../sources/memory/index.js';
import type { CategoryCheck, CategoryEvaluation } from '../check.js';
import { arcReclaimableBytes, memoryUsagePercent, swapUsagePercent } from '../measures.js';
import { addRow, levelOf, sustainedLevel, sustainedRow } from './cpu.js';

const GIB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;

/**
 * RAM usage (ZFS-ARC-aware, with hysteresis over the sampler's `memory_usage`) and swap in use as a
 * share of RAM (the current value: swap moves slowly and only ever grows under pressure).
 */
export const checkMemory: CategoryCheck = (inputs) => {
  const { snapshots, thresholds, samples, now } = inputs;
  const t = thresholds.memory;
  const evaluation: CategoryEvaluation = { category: 'memory', rows: [], findings: [] };
  const memory = snapshots.latest<MemorySnapshot>(MEMORY_SOURCE);
  if (!memory) return { ...evaluation, unknown: 'memory source has no fresh value' };

  const limits = {
    warning: t.usage_warning,
    critical: t.usage_critical,
    recovery: t.usage_recovery,
    seconds: t.sustained_seconds,
  };
  const usage = memoryUsagePercent(snapshots);
  if (usage === undefined)
    evaluation.rows.push({
      check: 'memory_usage',
      status: 'UNKNOWN',
      reason: 'this kernel reports no MemAvailable, so usage is not judged',
    });
  else {
    const arc = arcReclaimableBytes(memory);
    const level = sustainedLevel(samples, 'memory_usage', limits, now);
    const what = arc > 0 ? `RAM in use (${gib(arc)} of reclaimable ZFS ARC counted as free)` : 'RAM in use';
    sustainedRow(evaluation, 'memory_usage', what, '%', usage, level, limits);
    const finding = evaluation.findings.find((f) => f.errorKey === 'memory_usage');
    if (finding)
      finding.details = { ...finding.details, arcReclaimableBytes: arc, totalBytes: memory.totalBytes };
  }

  const swap = swapUsagePercent(snapshots);
  const swapTotal = memory.swapTotalBytes;
  if (swap === undefined || swapTotal === undefined)
    evaluation.rows.push({
      check: 'swap_usage',
      status: 'UNKNOWN',
      reason: 'no swap figures in /proc/meminfo',
    });
  else if (swapTotal === 0)
    evaluation.rows.push({ check: 'swap_usage', status: 'OK', reason: 'no swap configured', value: 0 });
  else {
    const value = Math.round(swap * 10) / 10;
    const status = levelOf(swap, t.swap_warning, t.swap_critical);
    const limit = status === 'CRITICAL' ? `critical at ${t.swap_critical}%` : `warning at ${t.swap_warning}%`;
    addRow(
      evaluation,
      {
        check: 'swap_usage',
        status,
        reason: `${gib(memory.swapUsedBytes ?? 0)} of swap in use, ${value}% of RAM (${limit})`,
        value,
      },
      {
        key: 'swap_usage',
        details: {
          value,
          swapUsedBytes: memory.swapUsedBytes,
          warning: t.swap_warning,
          critical: t.swap_critical,
        },
      },
    );
  }
  return evaluation;
};
