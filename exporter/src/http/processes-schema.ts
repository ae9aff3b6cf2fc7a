import { z } from 'zod';

const num = z.number().nullable();

export const processSchema = z.object({
  pid: z.number().int(),
  ppid: z.number().int(),
  name: z.string().describe('the kernel name (comm), at most 15 characters'),
  state: z.string().describe('R running, S sleeping, D uninterruptible, Z zombie, T stopped, I idle'),
  uid: z.number().int().nullable(),
  user: z.string().nullable().describe('from /etc/passwd; null for a uid it does not list'),
  cpu_usage_ratio: num.describe('share of the whole host (all CPUs) over the sample window, 0-1'),
  cpu_cores: num.describe('CPUs kept busy on average over the window (cpu_usage_ratio x cpus)'),
  memory_resident_bytes: num,
  memory_usage_ratio: num.describe('resident memory over MemTotal'),
  memory_virtual_bytes: z.number(),
  threads: z.number().int(),
  priority: z.number().int(),
  nice: z.number().int(),
  cpu_seconds_total: z.number().describe('user + system CPU time since the process started'),
  started_at: z.string().nullable().describe('ISO 8601'),
  command: z
    .string()
    .describe('the command line, credential-looking values replaced by ***; [name] for kernel threads'),
});

export const processesQuery = z.strictObject({
  sort: z.enum(['cpu', 'mem']).default('cpu'),
  limit: z.coerce.number().int().min(1).max(1000).default(25),
});

export const processesResponse = z.object({
  captured_at: z.string().describe('ISO 8601, end of the sample window'),
  window_seconds: num.describe('length of the CPU sample window'),
  cpus: z.number().int(),
  memory_total_bytes: num,
  total: z.number().int().describe('processes on the host; `processes` holds the top `limit`'),
  sort: z.enum(['cpu', 'mem']),
  processes: z.array(processSchema),
});

export const processDetailResponse = z.object({
  captured_at: z.string(),
  window_seconds: num,
  process: processSchema.extend({
    open_files: z.number().int().nullable().describe('null when /proc/<pid>/fd cannot be listed'),
    memory_swap_bytes: num,
  }),
});
