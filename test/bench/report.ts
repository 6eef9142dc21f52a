import type { EvaluationRow } from './evaluation';
import type { FetchConcurrency } from './fetch-concurrency';
import type { ComparedRun } from './http';
import type { LoadResult } from './load';
import type { MemorySoak } from './memory';
import type { ProfileSummary } from './profile';

/** One service without and with a feature, under the same load in one run; cost = 1 − with ÷ without. */
export interface CostComparison {
  without: LoadResult;
  with: LoadResult;
  cost: number;
  /** with ÷ without − 1 of the service's CPU per request: the cost that other load on the machine hardly moves. */
  cpuCost: number;
}

export interface Report {
  machine: { cores: number; cpu: string; memoryGiB: number; node: string; os: string; commit: string };
  command: string;
  startedAt: string;
  finishedAt?: string;
  loadBefore: number[];
  loadAfter?: number[];
  evaluation?: EvaluationRow[];
  http?: ComparedRun[];
  fetch?: FetchConcurrency;
  memory?: MemorySoak;
  cluster?: { workers: number; single: LoadResult; cluster: LoadResult; ratio: number };
  /** The embedded card ledger off (without) and on (with). */
  ledger?: CostComparison;
  /** Authenticated, rate-limited calls with the security state in process (without) and in PostgreSQL (with). */
  sharedState?: CostComparison;
  profile?: ProfileSummary;
}

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number, digits = 2) => value.toFixed(digits);
const pct = (value: number) => `${(100 * value).toFixed(0)} %`;
const kib = (bytes: number) =>
  bytes < 10_240
    ? `${(bytes / 1024).toFixed(1)} KiB`
    : bytes < 10 * 2 ** 20
      ? `${int(bytes / 1024)} KiB`
      : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const signedKib = (bytes: number) => `${bytes >= 0 ? '+' : '−'}${(Math.abs(bytes) / 1024).toFixed(1)} KiB`;
const load = (values: number[] | undefined) => (values ? values.map((v) => v.toFixed(2)).join(' / ') : 'n/a');
/** One Markdown table row. */
const tableRow = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

/** The figures as Markdown: what BENCHMARKS.md publishes between its generated-section markers. */
export function renderReport(report: Report, quick: boolean): string {
  const { machine } = report;
  const lines = [
    `Measured ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC with \`${report.command}\`` +
      `${quick ? ' (short runs: indicative only)' : ''}, commit ${machine.commit} plus the working tree.`,
    `Machine: ${machine.cores} cores (nproc), ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.os}, ` +
      `Node ${machine.node}.`,
    `Load average (1/5/15 min) before: ${load(report.loadBefore)}; after: ${load(report.loadAfter)}.`,
  ];
  if (report.http) lines.push('', ...httpTable(report.http));
  if (report.fetch) lines.push('', ...fetchTable(report.fetch));
  if (report.evaluation) lines.push('', ...evaluationTable(report.evaluation));
  if (report.memory) lines.push('', ...memoryTable(report.memory));
  if (report.ledger) lines.push('', ...ledgerTable(report.ledger));
  if (report.sharedState) lines.push('', ...sharedStateTable(report.sharedState));
  if (report.cluster) lines.push('', ...clusterTable(report.cluster));
  if (report.profile) lines.push('', ...profileTable(report.profile));
  return lines.join('\n');
}

function httpTable(runs: ComparedRun[]): string[] {
  return [
    '#### HTTP over loopback: the service against a bare Express baseline in the same run',
    '',
    tableRow([
      ...['scenario', 'prefetch', 'connections', 'request', 'response'],
      ...['service req/s', 'p50 ms', 'p99 ms', 'baseline req/s', 'p50 ms', 'p99 ms', 'service / baseline'],
    ]),
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map((run) =>
      tableRow([
        ...[run.scenario, run.resources, run.connections, kib(run.requestBytes), kib(run.responseBytes)],
        ...[int(run.service.requestsPerSecond), run.service.p50Ms, run.service.p99Ms],
        ...[int(run.baseline.requestsPerSecond), run.baseline.p50Ms, run.baseline.p99Ms],
        `**${pct(run.ratio)}**${failures(run)}`,
      ]),
    ),
  ];
}

function failures(run: ComparedRun): string {
  const count = run.service.failures + run.baseline.failures;
  return count > 0 ? ` (${int(count)} failed requests)` : '';
}

function fetchTable(fetch: FetchConcurrency): string[] {
  return [
    `#### No prefetch: the service fetches everything (${fetch.queriesPerCall} FHIR reads per call) ` +
      `from the embedded FHIR server; one call at a time, ${fetch.samples} calls each`,
    '',
    tableRow([
      ...['delay added to every FHIR read', 'hook call p50 ms', 'hook call p90 ms'],
      ...['slowest query alone, p50 ms', 'all queries alone, sum of p50 ms'],
    ]),
    '| ---: | ---: | ---: | ---: | ---: |',
    ...fetch.timings.map((t) =>
      tableRow([
        ...[`${t.delayMs} ms`, ms(t.callP50Ms, 1), ms(t.callP90Ms, 1)],
        ...[`${ms(t.slowestQueryP50Ms, 1)} (${t.slowestQuery})`, ms(t.queriesSumP50Ms, 1)],
      ]),
    ),
    '',
    'Reads one after another would make the delayed call at least ' +
      `${int(fetch.queriesPerCall * (fetch.timings[1]?.delayMs ?? 0))} ms longer than the undelayed one; ` +
      `it was ${ms((fetch.timings[1]?.callP50Ms ?? 0) - (fetch.timings[0]?.callP50Ms ?? 0), 1)} ms longer.`,
  ];
}

function evaluationTable(rows: EvaluationRow[]): string[] {
  return [
    '#### Evaluation in process: assessHookCall with a full prefetch (no HTTP, no JSON parsing)',
    '',
    tableRow([
      ...['chart', 'resources', 'calls', 'median ms', 'p95 ms', 'record + facts ms', 'rules ms', 'cards ms'],
      ...['µs per resource', 'plain scan µs per resource', 'evaluation ÷ scan', 'cards'],
    ]),
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) =>
      tableRow([
        ...[row.label, int(row.resources), int(row.iterations), ms(row.medianMs, 3), ms(row.p95Ms, 3)],
        ...[ms(row.factsMs, 3), ms(row.rulesMs, 3), ms(row.cardsMs, 3)],
        ...[ms(row.perResourceUs, 2), ms(row.scanPerResourceUs, 3), int(row.perResourceUs / row.scanPerResourceUs)],
        row.cards,
      ]),
    ),
    '',
    'Per resource, the cost falls until the fixed part (rules, cards: the same for every size) is spread thin, ' +
      'then stays within the growth of the plain scan: linear in the number of resources, ' +
      'with memory caches making large charts somewhat dearer per resource for any code.',
  ];
}

function memoryTable(memory: MemorySoak): string[] {
  const first = memory.points[0];
  const last = memory.points[memory.points.length - 1];
  return [
    `#### Memory over ${int(memory.requests)} requests of the typical patient ` +
      `(${int(memory.requests / memory.durationSeconds)} req/s, ${int(memory.failures)} failed; ` +
      'samples after a forced full GC)',
    '',
    '| requests answered | RSS | heap used |',
    '| ---: | ---: | ---: |',
    ...memory.points.map((point) => `| ${int(point.requests)} | ${mib(point.rss)} | ${mib(point.heapUsed)} |`),
    '',
    `First → last sample: RSS ${mib(first.rss)} → ${mib(last.rss)}, ` +
      `heap ${mib(first.heapUsed)} → ${mib(last.heapUsed)}. ` +
      `Slope over the samples after the first: RSS ${signedKib(memory.rssSlopePer10k)}, ` +
      `heap ${signedKib(memory.heapSlopePer10k)} per 10,000 requests.`,
  ];
}

function ledgerTable(ledger: CostComparison): string[] {
  return costTable(
    '#### Card ledger: the embedded store off and on (typical patient, one process)',
    ['ledger', 'off (`SPINE_CDS_LEDGER=off`)', 'on (SQLite file, every card recorded)'],
    ledger,
    `The ledger costs **${pct(ledger.cost)}** of hook-call throughput ` +
      `and **${pct(ledger.cpuCost)}** more service CPU per call (budget: 10 %).`,
  );
}

function sharedStateTable(state: CostComparison): string[] {
  return costTable(
    '#### Security state: jti replay cache and rate-limit buckets in process vs in PostgreSQL ' +
      '(typical patient, authenticated)',
    ['where', 'this process', 'PostgreSQL (shared by instances)'],
    state,
    `PostgreSQL costs **${pct(state.cost)}** of throughput and **${pct(state.cpuCost)}** more service CPU per call ` +
      '(three round trips per call: IP bucket, jti, issuer bucket; the database runs on the same 2 cores).',
  );
}

function costTable(title: string, [label, without, withIt]: string[], comparison: CostComparison, conclusion: string) {
  const row = (name: string, run: LoadResult) =>
    tableRow([
      name,
      int(run.requestsPerSecond),
      run.p50Ms,
      run.p99Ms,
      ms(run.targetCpuMsPerRequest ?? NaN),
      run.failures,
    ]);
  return [
    title,
    '',
    `| ${label} | requests/s | p50 ms | p99 ms | service CPU ms per call | failures |`,
    '|---|---:|---:|---:|---:|---:|',
    row(without, comparison.without),
    row(withIt, comparison.with),
    '',
    conclusion,
  ];
}

function clusterTable(cluster: NonNullable<Report['cluster']>): string[] {
  return [
    `#### Multi-core: one process against \`node dist/src/cluster.js\` with ${cluster.workers} workers ` +
      '(typical patient)',
    '',
    '| entry | req/s | p50 ms | p99 ms | load generator CPU (cores) |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...[
      { entry: 'one process (server.js)', run: cluster.single },
      { entry: `cluster, ${cluster.workers} workers`, run: cluster.cluster },
    ].map(({ entry, run }) =>
      tableRow([entry, int(run.requestsPerSecond), run.p50Ms, run.p99Ms, run.generatorCores.toFixed(2)]),
    ),
    '',
    `Cluster / one process: **${cluster.ratio.toFixed(2)}×**. ` +
      `The load generator runs on the same ${cluster.workers} cores and takes the share shown, ` +
      `so the cluster has less than ${cluster.workers} cores to work with.`,
  ];
}

function profileTable(profile: ProfileSummary): string[] {
  return [
    `#### CPU profile of the service under the typical load (${profile.idlePercent.toFixed(0)} % idle; ` +
      'shares of busy time)',
    '',
    `Profile: \`${profile.file}\` (open it in Chrome DevTools, Performance panel).`,
    '',
    '| self time by package or file | % | | self time by function | % |',
    '| --- | ---: | --- | --- | ---: |',
    ...profile.groups.map((group, i) => {
      const fn = profile.functions[i];
      const name = fn ? `\`${fn.name}\`` : '';
      return `| ${group.name} | ${group.selfPercent.toFixed(1)} | | ${name} | ${fn ? fn.selfPercent.toFixed(1) : ''} |`;
    }),
  ];
}
