/**
 * What proxmon reads from `nvidia-smi --query-gpu`, each with the field names nvidia-smi has used for
 * it, newest first. `--help-query-gpu` decides which of them this driver knows: drivers before 530 only
 * know `clocks_throttle_reasons.*`, later ones `clocks_event_reasons.*` (the old names stay as aliases),
 * `power.draw.average/instant` and the event counters arrived with 530+. `name` stays last: it is the
 * only free-text field, so a comma inside it cannot shift the other columns.
 */
export const QUERY_FIELDS = {
  uuid: ['uuid', 'gpu_uuid'],
  index: ['index'],
  driver: ['driver_version'],
  pciBus: ['pci.bus_id', 'gpu_bus_id'],
  pstate: ['pstate'],
  utilizationGpu: ['utilization.gpu'],
  utilizationMemory: ['utilization.memory'],
  utilizationEncoder: ['utilization.encoder'],
  utilizationDecoder: ['utilization.decoder'],
  encoderSessions: ['encoder.stats.sessionCount'],
  memoryTotal: ['memory.total'],
  memoryUsed: ['memory.used'],
  temperatureGpu: ['temperature.gpu'],
  temperatureMemory: ['temperature.memory'],
  powerDraw: ['power.draw'],
  powerDrawAverage: ['power.draw.average', 'gpu.power.draw.average'],
  powerDrawInstant: ['power.draw.instant', 'gpu.power.draw.instant'],
  powerLimitEnforced: ['enforced.power.limit', 'gpu.power.current_limit'],
  powerLimit: ['power.limit', 'gpu.power.requested_limit'],
  clockGraphics: ['clocks.current.graphics', 'clocks.gr'],
  clockSm: ['clocks.current.sm', 'clocks.sm'],
  clockMemory: ['clocks.current.memory', 'clocks.mem'],
  clockVideo: ['clocks.current.video', 'clocks.video'],
  maxClockGraphics: ['clocks.max.graphics', 'clocks.max.gr'],
  maxClockSm: ['clocks.max.sm'],
  maxClockMemory: ['clocks.max.memory', 'clocks.max.mem'],
  fanSpeed: ['fan.speed'],
  eccCorrected: ['ecc.errors.corrected.volatile.total'],
  eccUncorrected: ['ecc.errors.uncorrected.volatile.total'],
  eventReasonsSupported: ['clocks_event_reasons.supported', 'clocks_throttle_reasons.supported'],
  eventReasonsActive: ['clocks_event_reasons.active', 'clocks_throttle_reasons.active'],
  eventSwPowerCapMicros: ['clocks_event_reasons_counters.sw_power_cap'],
  eventSyncBoostMicros: ['clocks_event_reasons_counters.sync_boost'],
  eventSwThermalMicros: ['clocks_event_reasons_counters.sw_thermal_slowdown'],
  eventHwThermalMicros: ['clocks_event_reasons_counters.hw_thermal_slowdown'],
  eventHwPowerBrakeMicros: ['clocks_event_reasons_counters.hw_power_brake_slowdown'],
  pcieGeneration: ['pcie.link.gen.gpucurrent', 'pcie.link.gen.current'],
  pcieMaxGeneration: ['pcie.link.gen.max'],
  pcieWidth: ['pcie.link.width.current'],
  pcieMaxWidth: ['pcie.link.width.max'],
  remappedCorrectable: ['remapped_rows.correctable', 'remapped_rows.sbe'],
  remappedUncorrectable: ['remapped_rows.uncorrectable', 'remapped_rows.dbe'],
  remappedPending: ['remapped_rows.pending'],
  remappedFailure: ['remapped_rows.failure'],
  retiredSingleBit: ['retired_pages.single_bit_ecc.count', 'retired_pages.sbe'],
  retiredDoubleBit: ['retired_pages.double_bit.count', 'retired_pages.dbe'],
  retiredPending: ['retired_pages.pending'],
  name: ['name', 'gpu_name'],
} as const satisfies Record<string, readonly string[]>;

export type FieldKey = keyof typeof QUERY_FIELDS;

/** Fields every nvidia-smi of the last decade accepts; used when `--help-query-gpu` cannot be read. */
const BASELINE: readonly FieldKey[] = [
  'uuid',
  'index',
  'driver',
  'pciBus',
  'pstate',
  'utilizationGpu',
  'utilizationMemory',
  'memoryTotal',
  'memoryUsed',
  'temperatureGpu',
  'powerDraw',
  'powerLimit',
  'clockGraphics',
  'clockSm',
  'clockMemory',
  'fanSpeed',
  'name',
];

const KEY_BY_FIELD = new Map<string, FieldKey>(
  (Object.entries(QUERY_FIELDS) as [FieldKey, readonly string[]][]).flatMap(([key, names]) =>
    names.map((n): [string, FieldKey] => [n.toLowerCase(), key]),
  ),
);

/** Which of our keys a field name (any alias, any case) stands for. */
export function fieldKey(field: string): FieldKey | undefined {
  return KEY_BY_FIELD.get(field.trim().toLowerCase());
}

/**
 * The `--query-gpu` list for a driver: for each key, the first of its names the driver supports and
 * that it has not rejected. Without a readable help text, the baseline names are used.
 */
export function selectQueryFields(
  supported: ReadonlySet<string> | undefined,
  rejected: ReadonlySet<string> = new Set(),
): string[] {
  const keys = supported ? (Object.keys(QUERY_FIELDS) as FieldKey[]) : BASELINE;
  const known = supported && new Set([...supported].map((s) => s.toLowerCase()));
  const fields: string[] = [];
  for (const key of keys) {
    const names: readonly string[] = QUERY_FIELDS[key];
    const pick = names.find((n) => !rejected.has(n) && (known === undefined || known.has(n.toLowerCase())));
    if (pick !== undefined) fields.push(pick);
  }
  return fields;
}
