import type { HttpScenario } from './http';
import { load } from './load';
import { slope } from './measure';
import type { ChildServer, MemorySample } from './processes';

export interface MemoryPoint extends MemorySample {
  /** Requests answered before this sample. */
  requests: number;
}

export interface MemorySoak {
  requests: number;
  failures: number;
  durationSeconds: number;
  points: MemoryPoint[];
  /** Least-squares slope over the samples after the first, in bytes per 10,000 requests. */
  rssSlopePer10k: number;
  heapSlopePer10k: number;
}

const CHUNKS = 10;
const WARMUP_REQUESTS = 2_000;
/** Each chunk also stops at this many seconds, so a stalled service cannot keep the run going. */
const CHUNK_MAX_SECONDS = 300;

/**
 * A long run in chunks, with the service's memory sampled after a forced full GC before the first chunk and after
 * each one. A leak shows as a steady slope; a warm-up step (JIT, caches filling) shows only in the first sample.
 */
export async function memorySoak(
  service: ChildServer,
  scenario: HttpScenario,
  requests: number,
  connections: number,
): Promise<MemorySoak> {
  const chunk = Math.ceil(requests / CHUNKS);
  const run = (count: number) =>
    load({
      url: service.url,
      path: scenario.servicePath,
      body: scenario.body,
      durationSeconds: CHUNK_MAX_SECONDS,
      connections,
      maxRequests: count,
    });
  await run(WARMUP_REQUESTS);
  const points: MemoryPoint[] = [{ requests: 0, ...(await service.memory()) }];
  let answered = 0;
  let failures = 0;
  let durationSeconds = 0;
  for (let i = 0; i < CHUNKS; i++) {
    const result = await run(chunk);
    answered += result.requests;
    failures += result.failures;
    durationSeconds += result.durationSeconds;
    points.push({ requests: answered, ...(await service.memory()) });
  }
  const per10k = (field: 'rss' | 'heapUsed') =>
    slope(points.slice(1).map((point) => [point.requests, point[field]])) * 10_000;
  return {
    requests: answered,
    failures,
    durationSeconds,
    points,
    rssSlopePer10k: per10k('rss'),
    heapSlopePer10k: per10k('heapUsed'),
  };
}
