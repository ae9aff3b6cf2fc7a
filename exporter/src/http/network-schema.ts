import { z } from 'zod';
import { TIMEFRAME_NAMES } from '../history/timeframes.js';
import { INTERFACE_TYPES } from '../sources/network/parse.js';
import { historySeriesSchema } from './history-schema.js';
import { sourceStatusSchema } from './source-status.js';

const num = z.number().nullable();
const iso = z.string().nullable().describe('ISO 8601');

export const networkQuery = z.strictObject({
  type: z.enum(INTERFACE_TYPES).optional().describe('only interfaces of this kind'),
});

const addressSchema = z.object({
  address: z.string(),
  prefix: z.number().int().nullable(),
  family: z.enum(['inet', 'inet6']),
  link_local: z.boolean(),
});

export const interfaceSchema = z.object({
  name: z.string(),
  type: z
    .enum(INTERFACE_TYPES)
    .describe('physical (a bus device), bridge, bond, vlan, or other (lo, tap, veth, fw*)'),
  state: z.string().describe('operstate: up, down, lowerlayerdown, unknown, ...'),
  up: z.boolean().nullable().describe('usable link; null when the kernel cannot tell'),
  carrier: z.boolean().nullable(),
  mac: z.string().nullable(),
  mtu_bytes: num,
  speed_bits_per_second: num.describe('null when the driver reports none (virtual, no link)'),
  carrier_changes: num,
  addresses: z.array(addressSchema),
  counters: z.object({
    receive_bytes: num,
    transmit_bytes: num,
    receive_packets: num,
    transmit_packets: num,
    receive_errors: num,
    transmit_errors: num,
    receive_drops: num,
    transmit_drops: num,
  }),
  rates: z
    .object({
      receive_bytes_per_second: num,
      transmit_bytes_per_second: num,
      receive_packets_per_second: num,
      transmit_packets_per_second: num,
      receive_errors_per_second: num,
      transmit_errors_per_second: num,
      receive_drops_per_second: num,
      transmit_drops_per_second: num,
    })
    .nullable()
    .describe('between the last two refreshes; null before the second one or for a new interface'),
});

const rateWindowSchema = z
  .object({ from: z.string(), to: z.string(), seconds: z.number() })
  .nullable()
  .describe('the two refreshes the rates come from');

export const networkResponse = z.object({
  interfaces: z.array(interfaceSchema),
  rates_window: rateWindowSchema,
  source: sourceStatusSchema,
});

const countSchema = z.object({ total: z.number().int(), up: z.number().int() });

export const latencyTargetSchema = z.object({
  target: z.string().describe('the configured target, or `gateway` for the detected default gateway'),
  address: z.string(),
  status: z
    .enum(['ok', 'degraded', 'down', 'error'])
    .describe('ok: every echo answered; degraded: some lost; down: all lost; error: no figures (see error)'),
  transmitted: num,
  received: num,
  loss_ratio: num,
  rtt_min_seconds: num,
  rtt_avg_seconds: num,
  rtt_max_seconds: num,
  rtt_mdev_seconds: num,
  error: z.string().nullable(),
});

export const networkSummaryResponse = z.object({
  interfaces: countSchema.extend({
    by_type: z.record(z.enum(INTERFACE_TYPES), countSchema),
  }),
  traffic: z
    .object({
      receive_bytes: z.number(),
      transmit_bytes: z.number(),
      receive_packets: z.number(),
      transmit_packets: z.number(),
      errors: z.number(),
      drops: z.number(),
      receive_bytes_per_second: num,
      transmit_bytes_per_second: num,
    })
    .describe('summed over physical interfaces: bridges, bonds and VLANs carry the same bytes again'),
  tcp: z.object({
    established: num,
    active_opens: num,
    passive_opens: num,
    retransmitted_segments: num,
    in_errors: num,
  }),
  udp: z.object({
    in_datagrams: num,
    out_datagrams: num,
    in_errors: num,
    no_ports: num,
    receive_buffer_errors: num,
  }),
  latency: z.array(latencyTargetSchema),
  latency_measured_at: iso,
  sources: z.object({
    network: sourceStatusSchema,
    netstat: sourceStatusSchema,
    latency: sourceStatusSchema,
  }),
});

export const latencyCurrentQuery = z.strictObject({
  target: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('default: the first target (the gateway unless configured)'),
});

export const latencyCurrentResponse = latencyTargetSchema.extend({
  measured_at: z.string().describe('ISO 8601'),
  targets: z.array(z.string()).describe('every target measured'),
});

export const latencyHistoryQuery = z.strictObject({
  target: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('default: gateway, else the first target with history'),
  timeframe: z.enum(TIMEFRAME_NAMES).default('hour'),
});

export const latencyHistoryResponse = z.object({
  target: z.string(),
  targets: z.array(z.string()).describe('every target with history'),
  latency_seconds: historySeriesSchema.describe('average round trip of each ping round'),
  packet_loss_ratio: historySeriesSchema,
});
