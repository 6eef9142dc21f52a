import { post } from './http';
import { percentile } from './measure';
import type { ChildServer } from './processes';

export interface FetchTiming {
  delayMs: number;
  /** The hook call, end to end, as the EHR sees it. */
  callP50Ms: number;
  callP90Ms: number;
  /** Each FHIR query the service makes, sent alone straight to the FHIR server: the slowest one's median. */
  slowestQueryP50Ms: number;
  slowestQuery: string;
  /** The medians of all queries added up: what the FHIR server spends on one call's reads. */
  queriesSumP50Ms: number;
}

export interface FetchConcurrency {
  samples: number;
  /** FHIR requests per hook call, counted at the FHIR server. */
  queriesPerCall: number;
  timings: FetchTiming[];
}

export interface FetchTargets {
  service: ChildServer;
  hookPath: string;
  body: string;
  /** The control endpoint of the FHIR server process (test/bench/fhir-server-process.ts). */
  fhirControl: string;
  /** The queries the service makes for this call, as absolute URLs. */
  queries: string[];
}

const DELAYS_MS = [0, 50];

/**
 * The no-prefetch path, one hook call at a time, with the FHIR server answering at once and then with every FHIR
 * answer delayed by 50 ms. Reads issued concurrently wait out the delays together, so the delay adds about 50 ms to
 * the call; reads issued one after another would add 50 ms per query. (The embedded FHIR server is one process that
 * searches in memory, so the CPU time of its answers adds up whatever the service does: hence the sum column.)
 */
export async function fetchConcurrency(targets: FetchTargets, samples: number): Promise<FetchConcurrency> {
  const timings: FetchTiming[] = [];
  let queriesPerCall = 0;
  for (const delayMs of DELAYS_MS) {
    await fetch(`${targets.fhirControl}/delay?ms=${delayMs}`, { method: 'POST' });
    const call = () => post(targets.service.url + targets.hookPath, targets.body);
    await timed(call, 5);
    const before = await fhirRequests(targets.fhirControl);
    const calls = await timed(call, samples);
    queriesPerCall = ((await fhirRequests(targets.fhirControl)) - before) / samples;
    const queries = [];
    for (const query of targets.queries)
      queries.push({ query, p50: percentile(await timed(() => get(query), samples), 50) });
    const slowest = queries.reduce((a, b) => (b.p50 > a.p50 ? b : a));
    timings.push({
      delayMs,
      callP50Ms: percentile(calls, 50),
      callP90Ms: percentile(calls, 90),
      slowestQueryP50Ms: slowest.p50,
      slowestQuery: new URL(slowest.query).pathname.split('/').pop() as string,
      queriesSumP50Ms: queries.reduce((sum, query) => sum + query.p50, 0),
    });
  }
  await fetch(`${targets.fhirControl}/delay?ms=0`, { method: 'POST' });
  return { samples, queriesPerCall, timings };
}

/** Durations in ms of `count` calls made one after another. */
async function timed(work: () => Promise<unknown>, count: number): Promise<number[]> {
  const durations: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await work();
    durations.push(performance.now() - started);
  }
  return durations;
}

async function get(url: string): Promise<void> {
  const response = await fetch(url, { headers: { accept: 'application/fhir+json' } });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
}

async function fhirRequests(fhirControl: string): Promise<number> {
  return ((await (await fetch(`${fhirControl}/healthz`)).json()) as { requests: number }).requests;
}
