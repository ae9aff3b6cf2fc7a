export interface OutputFlowOptions {
  bytesPerSecond: number;
  /** Pause the shell while the socket's send buffer holds more than this. */
  highWaterBytes?: number;
  /** ...and resume once it is back under this. */
  lowWaterBytes?: number;
  pause: () => void;
  resume: () => void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => { cancel(): void };
}

const defaultTimer = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  return { cancel: () => clearTimeout(t) };
};

/**
 * Decides when the PTY must stop being read: over the output rate (a token bucket holding one second
 * of output) or while the client is not keeping up (the socket's buffered bytes). Pausing the PTY makes
 * the kernel block the writer, so output is slowed, never dropped.
 */
export class OutputFlow {
  private tokens: number;
  private last: number;
  private rateLimited = false;
  private backlogged = false;
  private paused = false;
  private timer: { cancel(): void } | undefined;
  private readonly now: () => number;
  private readonly setTimer: NonNullable<OutputFlowOptions['setTimer']>;
  private readonly high: number;
  private readonly low: number;

  constructor(private readonly o: OutputFlowOptions) {
    this.now = o.now ?? Date.now;
    this.setTimer = o.setTimer ?? defaultTimer;
    this.tokens = o.bytesPerSecond;
    this.last = this.now();
    this.high = o.highWaterBytes ?? 1024 * 1024;
    this.low = o.lowWaterBytes ?? 256 * 1024;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** `bytes` were read from the PTY and handed to the socket, which now buffers `buffered` bytes. */
  sent(bytes: number, buffered: number): void {
    this.refill();
    this.tokens -= bytes;
    if (this.tokens < 0 && !this.rateLimited) {
      this.rateLimited = true;
      this.timer = this.setTimer(() => this.refillTick(), this.waitMs());
    }
    if (buffered > this.high) this.backlogged = true;
    this.apply();
  }

  /** The socket flushed some data and now buffers `buffered` bytes. */
  drained(buffered: number): void {
    if (this.backlogged && buffered <= this.low) {
      this.backlogged = false;
      this.apply();
    }
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private refillTick(): void {
    this.timer = undefined;
    this.refill();
    if (this.tokens < 0) {
      this.timer = this.setTimer(() => this.refillTick(), this.waitMs());
      return;
    }
    this.rateLimited = false;
    this.apply();
  }

  private waitMs(): number {
    return Math.max(1, Math.ceil((-this.tokens / this.o.bytesPerSecond) * 1000));
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.o.bytesPerSecond, this.tokens + elapsed * this.o.bytesPerSecond);
  }

  private apply(): void {
    const want = this.rateLimited || this.backlogged;
    if (want === this.paused) return;
    this.paused = want;
    if (want) this.o.pause();
    else this.o.resume();
  }
}
