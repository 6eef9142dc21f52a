import fs from 'node:fs';
import path from 'node:path';
import { load, type LoadResult } from './load';
import { startHttpChild, type ChildServer } from './processes';

const BASELINE_ENTRY = path.join(__dirname, 'baseline-server.js');

export interface HttpScenario {
  name: string;
  servicePath: string;
  body: string;
  /** What the prefetch carries, for the table. */
  resources: string;
  /** One token per request for authenticated scenarios (made just before the run). */
  tokens?: (count: number) => Promise<string[]>;
  /** Concurrent connections when the default would only queue requests (multi-megabyte bodies). */
  connections?: number;
}

export interface LoadSettings {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** Baseline and service runs alternate this many times; the best of each is kept. */
  rounds: number;
  maxRequests: number;
}

export interface ComparedRun {
  scenario: string;
  resources: string;
  connections: number;
  requestBytes: number;
  responseBytes: number;
  service: LoadResult;
  baseline: LoadResult;
  /** service requests/s ÷ baseline requests/s. */
  ratio: number;
}

/**
 * Runs one scenario against the service and, in the same run, against a bare Express baseline that parses the
 * same request and answers with the service's own response.
 */
export async function compareWithBaseline(
  service: ChildServer,
  scenario: HttpScenario,
  settings: LoadSettings,
  scratch: string,
): Promise<ComparedRun> {
  const answer = await post(service.url + scenario.servicePath, scenario.body, await oneToken(scenario));
  const responseFile = path.join(scratch, `${scenario.name.replace(/\W+/g, '-')}-response.json`);
  fs.writeFileSync(responseFile, answer);
  const baseline = await startHttpChild({
    entry: BASELINE_ENTRY,
    env: { BENCH_RESPONSE_FILE: responseFile },
    logFile: path.join(scratch, 'baseline.log'),
  });
  try {
    // The baseline ignores any token, so only the service gets them.
    const [serviceBest, baselineBest] = await alternate([service, { ...baseline, plain: true }], scenario, settings);
    return {
      scenario: scenario.name,
      resources: scenario.resources,
      connections: scenario.connections ?? settings.connections,
      requestBytes: Buffer.byteLength(scenario.body),
      responseBytes: Buffer.byteLength(answer),
      service: serviceBest,
      baseline: baselineBest,
      ratio: serviceBest.requestsPerSecond / baselineBest.requestsPerSecond,
    };
  } finally {
    await baseline.stop();
  }
}

type Target = ChildServer & { plain?: boolean };

/**
 * Loads each target in turn, `rounds` times (A, B, A, B, …), after a warm-up of each, so that a burst of load
 * from elsewhere on the machine hits all of them alike; the best round of each is kept, since outside load only
 * ever lowers a figure.
 */
export async function alternate(
  targets: Target[],
  scenario: HttpScenario,
  settings: LoadSettings,
): Promise<LoadResult[]> {
  const run = async (target: Target, durationSeconds: number, expectedRate?: number) => {
    const tokens =
      scenario.tokens && !target.plain ? await scenario.tokens(tokenBudget(expectedRate, durationSeconds)) : undefined;
    return withTargetCpu(target, () =>
      load({
        url: target.url,
        path: scenario.servicePath,
        body: scenario.body,
        durationSeconds,
        connections: scenario.connections ?? settings.connections,
        maxRequests: settings.maxRequests,
        ...(tokens ? { tokens } : {}),
      }),
    );
  };
  const warmRates: number[] = [];
  for (const target of targets) warmRates.push((await run(target, settings.warmupSeconds)).requestsPerSecond);
  const runs: LoadResult[][] = targets.map(() => []);
  for (let round = 0; round < settings.rounds; round++) {
    for (const [index, target] of targets.entries())
      runs[index].push(await run(target, settings.durationSeconds, warmRates[index]));
  }
  return runs.map((results) => results.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a)));
}

/**
 * Adds the CPU the target process used per request during the run: unlike throughput, it hardly moves when other
 * work on the machine takes cores away, so it shows what a feature costs even on a busy machine. (For the cluster
 * entry it counts the primary only.)
 */
async function withTargetCpu(target: Target, run: () => Promise<LoadResult>): Promise<LoadResult> {
  const before = cpuMs(target.child.pid);
  const result = await run();
  const used = cpuMs(target.child.pid) - before;
  return { ...result, targetCpuMsPerRequest: result.requests > 0 ? used / result.requests : 0 };
}

/** User + system CPU of a process so far, in ms (Linux /proc; fields 14 and 15, in clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Tokens for a run: enough for twice the warm-up rate (the run ends early, not wrongly, if they run out). */
function tokenBudget(expectedRate: number | undefined, durationSeconds: number): number {
  return Math.ceil(Math.max(200, (expectedRate ?? 1000) * 2) * durationSeconds);
}

async function oneToken(scenario: HttpScenario): Promise<string | undefined> {
  return scenario.tokens ? (await scenario.tokens(1))[0] : undefined;
}

/** One request, checked: a benchmark of error responses would measure nothing useful. */
export async function post(url: string, body: string, token?: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST ${url} answered ${response.status}: ${text.slice(0, 500)}`);
  return text;
}
