/** Anything held by the ring: a journal position and a time. */
export interface Positioned {
  cursor: string;
  timeMs: number;
}

/**
 * The journal lines of the last few minutes, for the two windows and the vms checks. In memory only:
 * after a restart it is refilled from the journal (see index.ts), so losing it loses nothing. Bounded
 * by age and by count; a line already held (same cursor) is not added twice.
 */
export class RecentRing<T extends Positioned> {
  private items: T[] = [];
  private readonly cursors = new Set<string>();

  constructor(private readonly maxItems: number) {}

  get size(): number {
    return this.items.length;
  }

  has(cursor: string): boolean {
    return this.cursors.has(cursor);
  }

  /** Adds items, drops those at or before `oldestMs`, then the oldest beyond the bound. */
  add(items: readonly T[], oldestMs: number): void {
    for (const item of items) {
      if (this.cursors.has(item.cursor)) continue;
      this.cursors.add(item.cursor);
      this.items.push(item);
    }
    // Journal order is nearly, not strictly, time order across files; the sort is cheap on sorted input.
    this.items.sort((a, b) => a.timeMs - b.timeMs);
    let drop = 0;
    while (drop < this.items.length && this.items[drop]!.timeMs <= oldestMs) drop++;
    drop = Math.max(drop, this.items.length - this.maxItems);
    if (drop > 0) {
      for (const item of this.items.slice(0, drop)) this.cursors.delete(item.cursor);
      this.items = this.items.slice(drop);
    }
  }

  /** The held items plus `extra` (those not held), with time in (fromMs, toMs]. */
  between(fromMs: number, toMs: number, extra: readonly T[] = []): T[] {
    const inRange = (i: T) => i.timeMs > fromMs && i.timeMs <= toMs;
    return this.items.filter(inRange).concat(extra.filter((i) => inRange(i) && !this.cursors.has(i.cursor)));
  }
}
