/**
 * The journal lines of the last few minutes, for the two windows and the vms checks. In memory only:
 * after a restart it is refilled from the journal (see index.ts), so losing it loses nothing. Bounded
 * by age and by count; a line already held (same cursor) is not added twice. Items are kept in time
 * order, with their cursors and times in arrays beside them, so an item need not carry either, and a
 * time range or a held line (same time, same cursor) is found by binary search, without hashing
 * tens of thousands of cursors each step.
 *
 * A batch is added with `push` per item, then `trim`, which restores the order and applies the bounds.
 */
export class RecentRing<T> {
  private readonly items: T[] = [];
  private readonly cursors: string[] = [];
  private readonly times: number[] = [];
  /** Items before this index were there before the batch being pushed, in time order. */
  private settled = 0;
  private sorted = true;

  constructor(private readonly maxItems: number) {}

  get size(): number {
    return this.items.length;
  }

  /** Whether the line at `cursor`, logged at `timeMs`, is held (batch items not trimmed yet aside). */
  has(cursor: string, timeMs: number): boolean {
    return this.heldIn(cursor, timeMs, this.settled);
  }

  /**
   * Adds `item`, at journal position `cursor` and time `timeMs`, unless it was held before this batch.
   * The items of one batch must not repeat a cursor (no journalctl read does).
   */
  push(item: T, cursor: string, timeMs: number): void {
    // Lines read after the stored cursor are later than those held: no search for them.
    const latest = this.settled > 0 ? this.times[this.settled - 1]! : -Infinity;
    if (timeMs <= latest && this.heldIn(cursor, timeMs, this.settled)) return;
    const last = this.times.length > 0 ? this.times[this.times.length - 1]! : -Infinity;
    if (timeMs < last) this.sorted = false;
    this.items.push(item);
    this.cursors.push(cursor);
    this.times.push(timeMs);
  }

  /** Ends a batch: back into time order, then drops the items at or before `oldestMs` and the oldest beyond the bound. */
  trim(oldestMs: number): void {
    // Journal order is nearly, not strictly, time order across files.
    if (!this.sorted) this.sortByTime();
    this.sorted = true;
    const drop = Math.max(this.after(oldestMs), this.items.length - this.maxItems);
    if (drop > 0) {
      // In place: no new arrays of a hundred thousand items each step.
      for (const a of [this.items, this.cursors, this.times] as unknown[][]) {
        a.copyWithin(0, drop);
        a.length -= drop;
      }
    }
    this.settled = this.items.length;
  }

  /** The held items with time in (fromMs, toMs], oldest first. */
  between(fromMs: number, toMs: number): T[] {
    return this.items.slice(this.after(fromMs), this.after(toMs));
  }

  /** Whether one of the first `count` items (in time order) is at `cursor` and `timeMs`. */
  private heldIn(cursor: string, timeMs: number, count: number): boolean {
    for (let i = this.search(count, (t) => t < timeMs); i < count && this.times[i] === timeMs; i++)
      if (this.cursors[i] === cursor) return true;
    return false;
  }

  /** Index of the first item later than `ms`. */
  private after(ms: number): number {
    return this.search(this.times.length, (t) => t <= ms);
  }

  /** The number of leading items, among the first `count`, whose time is `before`. */
  private search(count: number, before: (time: number) => boolean): number {
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.times[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A stable sort by time, as Array.prototype.sort is. */
  private sortByTime(): void {
    const order = this.items.map((_, i) => i).sort((a, b) => this.times[a]! - this.times[b]!);
    const items = order.map((i) => this.items[i]!);
    const cursors = order.map((i) => this.cursors[i]!);
    const times = order.map((i) => this.times[i]!);
    for (let i = 0; i < order.length; i++) {
      this.items[i] = items[i]!;
      this.cursors[i] = cursors[i]!;
      this.times[i] = times[i]!;
    }
  }
}
