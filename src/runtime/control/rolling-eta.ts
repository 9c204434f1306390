/**
 * Rolling average of the last `window` calc durations, and the ETA it implies: the remaining
 * calcs spread over the workers, each taking the average.
 */
export class RollingEta {
  private readonly durations: number[] = [];

  constructor(private readonly window = 10) {}

  add(durationS: number): void {
    this.durations.push(durationS);
    if (this.durations.length > this.window) this.durations.shift();
  }

  averageS(): number | null {
    if (this.durations.length === 0) return null;
    return this.durations.reduce((a, b) => a + b, 0) / this.durations.length;
  }

  etaS(remaining: number, workers: number): number | null {
    const avg = this.averageS();
    if (avg === null) return remaining === 0 ? 0 : null;
    return (remaining * avg) / Math.max(1, workers);
  }
}
