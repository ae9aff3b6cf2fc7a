/**
 * Converts a wall-clock time to epoch seconds, or undefined for an impossible date. zpool prints
 * times with ctime(), in the local time zone of the host, without saying which zone that is.
 */
export type WallClockToEpoch = (
  year: number,
  monthIndex: number,
  day: number,
  hours: number,
  minutes: number,
  seconds: number,
) => number | undefined;

/**
 * Reads the time as this process's local time (TZ). Caveat: right only when the exporter runs in the
 * host's time zone (a container needs TZ set to match), and the hour repeated when DST ends is
 * ambiguous: the earlier instant is taken.
 */
export const processLocalTime: WallClockToEpoch = (year, monthIndex, day, hours, minutes, seconds) => {
  const d = new Date(year, monthIndex, day, hours, minutes, seconds);
  // Date rolls "Feb 30" over into March; such a date was not what zpool printed.
  if (d.getFullYear() !== year || d.getMonth() !== monthIndex || d.getDate() !== day) return undefined;
  return d.getTime() / 1000;
};

/** For tests and hosts known to run on UTC. */
export const utcTime: WallClockToEpoch = (year, monthIndex, day, hours, minutes, seconds) => {
  const ms = Date.UTC(year, monthIndex, day, hours, minutes, seconds);
  const d = new Date(ms);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== monthIndex || d.getUTCDate() !== day)
    return undefined;
  return ms / 1000;
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * `Tue Feb 25 15:33:38 2025` (ctime, day space-padded) or the JSON string form with a zone name,
 * `Sun Nov 16 08:00:01 CET 2025`. The zone name is ignored: the host's local time is assumed.
 */
export function parseCtime(text: string, toEpoch: WallClockToEpoch): number | undefined {
  const m =
    /^(?:[A-Za-z]{3}\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\s+[A-Za-z][\w+-]{0,9})?\s+(\d{4})$/.exec(
      text.trim(),
    );
  if (!m) return undefined;
  const month = MONTHS.indexOf((m[1] ?? '').toLowerCase());
  const [day, h, min, s, year] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 0 || h > 23 || min > 59 || s > 60) return undefined;
  return toEpoch(year, month, day, h, min, s);
}

const SUFFIX_POWER: Record<string, number> = { '': 0, K: 1, M: 2, G: 3, T: 4, P: 5, E: 6, Z: 7 };

/**
 * A zfs_nicenum/zfs_nicebytes value: `0B`, `512B`, `33.4M`, `6.73G`, `2.60K` (powers of 1024), or an
 * exact integer (`-p`). A decimal comma (a non-C locale) is accepted. Undefined for `-` or garbage.
 */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:[.,]\d+)?)\s*([KMGTPEZ]?)(?:i?B)?$/i.exec(text.trim());
  if (!m) return undefined;
  const value = Number((m[1] ?? '').replace(',', '.'));
  const power = SUFFIX_POWER[(m[2] ?? '').toUpperCase()] ?? 0;
  return Number.isFinite(value) ? Math.round(value * 1024 ** power) : undefined;
}

/** `00:04:06`, `1 days 14:05:30`, and the pre-0.8 `14h7m` / `0h54m`. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  const clock = /^(?:(\d+)\s+days?\s+)?(\d+):(\d{2}):(\d{2})$/.exec(t);
  if (clock) {
    const [days, h, m, s] = [clock[1] ?? '0', clock[2], clock[3], clock[4]].map(Number) as number[];
    return (days ?? 0) * 86400 + (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
  }
  const hm = /^(\d+)h\s*(\d+)m$/.exec(t);
  if (hm) return Number(hm[1]) * 3600 + Number(hm[2]) * 60;
  return undefined;
}

/** `27.63` or `100,09` (a non-C locale) as a number. */
export function parseDecimal(text: string): number | undefined {
  if (!/^\d+(?:[.,]\d+)?$/.test(text)) return undefined;
  return Number(text.replace(',', '.'));
}
