import autocannon from 'autocannon';

export interface LoadOptions {
  /** Base URL of the target; always a loopback address in this benchmark. */
  url: string;
  path: string;
  body: string;
  /** Run length in seconds. */
  durationSeconds: number;
  connections: number;
  /** Hard cap on requests, whatever the duration. */
  maxRequests: number;
  /** One bearer token per request (a token's jti is accepted once); the run stops when they are used up. */
  tokens?: string[];
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses other than 2xx, and connection errors or timeouts: any of them makes the figure suspect. */
  failures: number;
  durationSeconds: number;
  /** CPU used by the load generator (this process), in cores: what the machine had left for the target. */
  generatorCores: number;
  /** CPU the target process used per request (ms), where measured. */
  targetCpuMsPerRequest?: number;
}

const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/;

/**
 * One bounded autocannon run against a loopback URL: it ends at the duration or the request cap, whichever comes
 * first.
 */
export async function load(options: LoadOptions): Promise<LoadResult> {
  if (!LOOPBACK.test(options.url))
    throw new Error(`refusing to load ${options.url}: the benchmark only targets loopback`);
  const cap = Math.max(
    options.connections,
    Math.min(options.maxRequests, options.tokens?.length ?? Number.POSITIVE_INFINITY),
  );
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: options.url + options.path,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: options.body,
    connections: options.connections,
    duration: options.durationSeconds,
    maxOverallRequests: cap,
    timeout: 30,
    ...(options.tokens ? { requests: [{ setupRequest: withNextToken(options.tokens) }] } : {}),
  });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    durationSeconds: result.duration,
    generatorCores: (cpu.user + cpu.system) / 1e6 / result.duration,
  };
}

function withNextToken(tokens: string[]) {
  let next = 0;
  return (request: autocannon.Request): autocannon.Request => ({
    ...request,
    headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
  });
}
