/** Small statistics and timing helpers shared by the benchmark sections. */

const MIN_ITERATIONS = 5;
const MAX_ITERATIONS = 200_000;

/** Collects garbage when the process runs with --expose-gc (npm run bench does), so sizes do not pay for each other. */
export function forceGc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Runs `work` one call at a time until `budgetMs` have passed (at least a few calls, at most a bounded number)
 * and returns each call's duration in milliseconds.
 */
export async function timeLoop(work: () => Promise<unknown>, budgetMs: number): Promise<number[]> {
  const durations: number[] = [];
  const started = performance.now();
  while (
    durations.length < MAX_ITERATIONS &&
    (durations.length < MIN_ITERATIONS || performance.now() - started < budgetMs)
  ) {
    const before = performance.now();
    await work();
    durations.push(performance.now() - before);
  }
  return durations;
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Least-squares slope of y over x. */
export function slope(points: Array<[x: number, y: number]>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return variance === 0 ? Number.NaN : covariance / variance;
}
