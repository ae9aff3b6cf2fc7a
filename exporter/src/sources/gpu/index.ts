export { createIntelGpuSource, INTEL_GPU_SOURCE, type IntelGpuOptions } from './intel/index.js';
export { createNvidiaSource, NVIDIA_SOURCE, queryGpuArgs, type NvidiaOptions } from './nvidia/index.js';
export type { ClockDomain, ClockEventReason, Gpu, GpuProcess, GpuSnapshot, GpuVendor } from './types.js';
