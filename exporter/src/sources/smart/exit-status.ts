/**
 * smartctl's exit status is a bitmask (smartctl(8) "RETURN VALUES"). Bits 0–1 mean the command
 * itself failed and there is no usable data; the higher bits are findings about the disk.
 */
export const EXIT = {
  /** Command line did not parse. */
  BAD_COMMAND_LINE: 1 << 0,
  /** Device open failed, or the device is in a low-power mode (with -n). */
  OPEN_FAILED: 1 << 1,
  /** Some SMART or other ATA command failed, or a SMART data checksum was wrong. */
  COMMAND_FAILED: 1 << 2,
  /** SMART status check returned "DISK FAILING". */
  DISK_FAILING: 1 << 3,
  /** Prefail attributes at or below threshold. */
  PREFAIL_BELOW_THRESHOLD: 1 << 4,
  /** Some attributes were at or below threshold at some time in the past. */
  PAST_BELOW_THRESHOLD: 1 << 5,
  /** The device error log has records. */
  ERROR_LOG: 1 << 6,
  /** The self-test log has records of errors (not superseded by a later good extended test). */
  SELF_TEST_ERRORS: 1 << 7,
} as const;

export const commandFailed = (status: number): boolean => (status & 0b11) !== 0;

export const hasBit = (status: number, bit: number): boolean => (status & bit) !== 0;
