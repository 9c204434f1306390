/**
 * Counts failures by distinct item, so that one molecule failing three times counts once, and
 * says when the threshold is reached. A threshold of 0 never trips.
 */
export class FailureThreshold {
  private readonly items = new Set<string>();

  constructor(readonly threshold: number) {}

  /** Records a failed item; true when this failure makes the count reach the threshold. */
  record(item: string): boolean {
    const before = this.items.size;
    this.items.add(item);
    return this.threshold > 0 && before < this.threshold && this.items.size >= this.threshold;
  }

  get count(): number {
    return this.items.size;
  }
}
