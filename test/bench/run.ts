import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { renderPrefetchTemplate } from '../../src/cds/prefetch-template';
import { dataRequirements } from '../../src/cds/services';
import { loadRuleSet } from '../../src/rules/load-rule-set';
import { sign, signingKey, writeTrustFile } from '../support/jwt';
import { startTestPostgres } from '../support/postgres';
import { benchPatient, HEAVY_SHAPE, hookBody, resourceCount, TYPICAL_SHAPE } from './bench-patients';
import { benchEvaluation, type EvaluationRow } from './evaluation';
import { fetchConcurrency } from './fetch-concurrency';
import { alternate, compareWithBaseline, type ComparedRun, type HttpScenario, type LoadSettings } from './http';
import { memorySoak, type MemorySoak } from './memory';
import { CLUSTER_ENTRY, SERVER_ENTRY, scratchDir, startHttpChild, type ChildServer } from './processes';
import { profileService, type ProfileSummary } from './profile';
import { renderReport, type CostComparison, type Report } from './report';

/**
 * `npm run bench` (every figure of BENCHMARKS.md) or `npm run bench -- --quick` (short runs, nothing written).
 * `--only SECTION` (repeatable: evaluation, http, ledger, shared-state, fetch, memory, cluster, profile) runs part
 * of it; `--profile` adds a CPU profile of the service under the typical load. All load goes to 127.0.0.1 and every
 * run is bounded in requests and time.
 */

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BENCHMARKS_MD = path.join(ROOT, 'BENCHMARKS.md');
const SECTIONS = ['evaluation', 'http', 'ledger', 'shared-state', 'fetch', 'memory', 'cluster'] as const;
type Section = (typeof SECTIONS)[number] | 'profile';

const PATIENT = 'p-bench';
const HOOK = '/cds-services/spine-patient-view';
const ORDER_SIGN = '/cds-services/spine-order-sign';
const PUBLIC_BASE = 'https://cds.bench.example';
const ISSUER = 'https://ehr.bench.example';

interface Settings {
  quick: boolean;
  load: LoadSettings;
  evaluationSizes: number[];
  evaluationBudgetMs: number;
  memoryRequests: number;
  fetchSamples: number;
}

function settingsFor(quick: boolean): Settings {
  return quick
    ? {
        quick,
        load: { durationSeconds: 3, warmupSeconds: 1, connections: 10, rounds: 1, maxRequests: 200_000 },
        evaluationSizes: [100, 1_000, 10_000, 50_000],
        evaluationBudgetMs: 400,
        memoryRequests: 10_000,
        fetchSamples: 10,
      }
    : {
        quick,
        load: { durationSeconds: 10, warmupSeconds: 3, connections: 10, rounds: 2, maxRequests: 1_000_000 },
        evaluationSizes: [100, 1_000, 10_000, 50_000],
        evaluationBudgetMs: 3_000,
        memoryRequests: 100_000,
        fetchSamples: 40,
      };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      profile: { type: 'boolean', default: false },
    },
  });
  const settings = settingsFor(values.quick ?? false);
  const wanted = new Set<Section>(
    (values.only as Section[] | undefined) ?? [...SECTIONS, ...(values.profile ? ['profile' as const] : [])],
  );
  const unknown = [...wanted].filter(
    (section) => section !== 'profile' && !(SECTIONS as readonly string[]).includes(section),
  );
  if (unknown.length > 0)
    throw new Error(`--only ${unknown.join(', ')}: expected one of ${[...SECTIONS, 'profile'].join(', ')}`);
  const scratch = scratchDir();
  const now = new Date();
  const report: Report = {
    machine: machine(),
    command: commandLine(),
    startedAt: now.toISOString(),
    loadBefore: os.loadavg(),
  };
  progress(
    `scratch folder ${scratch}; load average ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );

  if (wanted.has('evaluation')) report.evaluation = await runEvaluation(settings, now);
  const needsServices = ['http', 'ledger', 'shared-state', 'fetch', 'memory', 'cluster', 'profile'].some((section) =>
    wanted.has(section as Section),
  );
  if (needsServices) await runServiceSections(wanted, settings, now, scratch, report);

  report.loadAfter = os.loadavg();
  report.finishedAt = new Date().toISOString();
  const markdown = renderReport(report, settings.quick);
  process.stdout.write(`${markdown}\n`);
  saveResults(report, markdown, { complete: SECTIONS.every((section) => wanted.has(section)) && !settings.quick });
  // Logs of a long run take tens of megabytes; a profile is kept for opening in Chrome DevTools.
  if (!wanted.has('profile')) fs.rmSync(scratch, { recursive: true, force: true });
}

const bundledRuleSet = () => loadRuleSet(path.join(ROOT, 'rules'), path.join(ROOT, 'fhir-profiles', 'valuesets'));

async function runEvaluation(settings: Settings, now: Date): Promise<EvaluationRow[]> {
  progress('evaluation in process');
  return benchEvaluation(settings.evaluationSizes, {
    ruleSet: bundledRuleSet(),
    now,
    budgetMs: settings.evaluationBudgetMs,
  });
}

async function runServiceSections(
  wanted: Set<Section>,
  settings: Settings,
  now: Date,
  scratch: string,
  report: Report,
): Promise<void> {
  const typical = benchPatient(PATIENT, TYPICAL_SHAPE, now);
  const fhir = await startFhirServer(typical, scratch);
  const fhirBase = (await (await fetch(`${fhir.url}/healthz`)).json()) as { baseUrl: string };
  const serviceEnv = {
    LOG_LEVEL: 'info',
    SPINE_CDS_MODE: 'development',
    SPINE_CDS_AUTH: 'disabled',
    SPINE_CDS_FHIR_SERVERS: fhirBase.baseUrl,
    // The embedded ledger is on, as with `npm start`, in a folder of this run.
    SPINE_CDS_DATA_DIR: path.join(scratch, 'data'),
  };
  const startService = (entry = SERVER_ENTRY, extra: Record<string, string> = {}, nodeFlags: string[] = []) =>
    startHttpChild(
      { entry, env: { ...serviceEnv, ...extra }, nodeFlags, logFile: path.join(scratch, 'service.log') },
      '/readyz',
    );
  const typicalScenario: HttpScenario = {
    name: 'typical patient (patient-view)',
    servicePath: HOOK,
    body: JSON.stringify(hookBody(PATIENT, { resources: typical })),
    resources: `${resourceCount(TYPICAL_SHAPE)} resources`,
  };
  try {
    if (wanted.has('http')) {
      const service = await startService();
      try {
        report.http = await runHttp(service, typicalScenario, fhirBase.baseUrl, settings, now, scratch);
      } finally {
        await service.stop();
      }
    }
    if (wanted.has('ledger')) report.ledger = await runLedger(startService, typicalScenario, settings);
    if (wanted.has('shared-state'))
      report.sharedState = await runSharedState(typicalScenario, fhirBase.baseUrl, settings, scratch);
    if (wanted.has('fetch')) {
      progress('no prefetch: FHIR reads with a per-query delay');
      const service = await startService();
      try {
        const body = JSON.stringify(hookBody(PATIENT, { fhirServer: fhirBase.baseUrl }));
        const queries = dataRequirements(bundledRuleSet()).map(
          (requirement) =>
            `${fhirBase.baseUrl}/` +
            renderPrefetchTemplate(requirement.template, { userId: 'Practitioner/bench', patientId: PATIENT }),
        );
        report.fetch = await fetchConcurrency(
          { service, hookPath: HOOK, body, fhirControl: fhir.url, queries },
          settings.fetchSamples,
        );
      } finally {
        await service.stop();
      }
    }
    if (wanted.has('memory')) report.memory = await runMemory(startService, typicalScenario, settings);
    if (wanted.has('cluster')) report.cluster = await runCluster(startService, typicalScenario, settings);
    if (wanted.has('profile')) report.profile = await runProfile(startService, typicalScenario, settings, scratch);
  } finally {
    await fhir.stop();
  }
}

async function runHttp(
  service: ChildServer,
  typical: HttpScenario,
  fhirBase: string,
  settings: Settings,
  now: Date,
  scratch: string,
): Promise<ComparedRun[]> {
  const heavy = benchPatient(PATIENT, HEAVY_SHAPE, now);
  const scenarios: HttpScenario[] = [
    typical,
    {
      name: 'heavy patient (patient-view)',
      servicePath: HOOK,
      body: JSON.stringify(hookBody(PATIENT, { resources: heavy })),
      resources: `${resourceCount(HEAVY_SHAPE).toLocaleString('en-US')} resources`,
      // 2.5 MB bodies: two in flight keep the service busy; more only queue.
      connections: 2,
    },
    {
      name: 'no prefetch, fetched from the FHIR server',
      servicePath: HOOK,
      body: JSON.stringify(hookBody(PATIENT, { fhirServer: fhirBase })),
      resources: `none (5 FHIR reads, ${resourceCount(TYPICAL_SHAPE)} resources)`,
      // The embedded FHIR server answers one call's reads in ~50 ms of CPU; more connections only queue there.
      connections: 2,
    },
    {
      name: 'order-sign with 4 draft orders',
      servicePath: ORDER_SIGN,
      body: JSON.stringify(
        hookBody(PATIENT, { hook: 'order-sign', resources: benchPatient(PATIENT, TYPICAL_SHAPE, now) }),
      ),
      resources: `${resourceCount(TYPICAL_SHAPE)} resources`,
    },
  ];
  const runs: ComparedRun[] = [];
  for (const scenario of scenarios) {
    progress(`HTTP: ${scenario.name}`);
    runs.push(await compareWithBaseline(service, scenario, settings.load, scratch));
  }
  progress('HTTP: authenticated (JWT verification on)');
  runs.push(await runAuthenticated(typical, fhirBase, settings, scratch));
  return runs;
}

/** A trust file for the bench issuer and a maker of fresh tokens (one jti each) for the typical hook. */
async function benchIssuer(fhirBase: string) {
  const key = await signingKey('ES384', 'bench-es384');
  const trustFile = writeTrustFile({
    issuers: [{ iss: ISSUER, jwks: { keys: [key.publicJwk] }, fhirServers: [fhirBase] }],
  });
  const tokens = async (count: number) => {
    const now = new Date();
    return Promise.all(Array.from({ length: count }, () => sign(key, { iss: ISSUER, aud: PUBLIC_BASE + HOOK, now })));
  };
  return { trustFile, tokens, cleanUp: () => fs.rmSync(path.dirname(trustFile), { recursive: true, force: true }) };
}

const authenticatedEnv = (trustFile: string) => ({
  LOG_LEVEL: 'info',
  SPINE_CDS_MODE: 'development',
  SPINE_CDS_TRUST_FILE: trustFile,
  SPINE_CDS_PUBLIC_BASE_URL: PUBLIC_BASE,
});

/** The typical scenario with SPINE_CDS_TRUST_FILE set (auth required): an ES384 token with a fresh jti per request. */
async function runAuthenticated(
  typical: HttpScenario,
  fhirBase: string,
  settings: Settings,
  scratch: string,
): Promise<ComparedRun> {
  const issuer = await benchIssuer(fhirBase);
  const service = await startHttpChild(
    {
      entry: SERVER_ENTRY,
      env: { ...authenticatedEnv(issuer.trustFile), SPINE_CDS_DATA_DIR: path.join(scratch, 'data') },
      logFile: path.join(scratch, 'service-auth.log'),
    },
    '/readyz',
  );
  try {
    return await compareWithBaseline(
      service,
      { ...typical, name: 'typical patient, authenticated (ES384 JWT)', tokens: issuer.tokens },
      settings.load,
      scratch,
    );
  } finally {
    await service.stop();
    issuer.cleanUp();
  }
}

/**
 * Authenticated calls with rate limits on (per IP and per issuer, set high enough never to refuse): the jti replay
 * cache and the buckets in this process against the same in PostgreSQL (three round trips per call), in one run.
 */
async function runSharedState(typical: HttpScenario, fhirBase: string, settings: Settings, scratch: string) {
  progress('security state: in process vs PostgreSQL');
  const postgres = await startTestPostgres();
  const issuer = await benchIssuer(fhirBase);
  const env = {
    ...authenticatedEnv(issuer.trustFile),
    SPINE_CDS_LEDGER: 'off',
    SPINE_CDS_RATE_LIMIT_PER_SECOND: '1000000',
    SPINE_CDS_RATE_LIMIT_BURST: '1000000',
  };
  const start = (extra: Record<string, string>, log: string) =>
    startHttpChild({ entry: SERVER_ENTRY, env: { ...env, ...extra }, logFile: path.join(scratch, log) }, '/readyz');
  const inProcess = await start({ SPINE_CDS_SHARED_STATE: 'process' }, 'service-state-process.log');
  const shared = await start(
    { SPINE_CDS_SHARED_STATE: 'postgres', SPINE_CDS_DATABASE_URL: postgres.url },
    'service-state-postgres.log',
  );
  try {
    return await costOf(inProcess, shared, { ...typical, tokens: issuer.tokens }, settings.load);
  } finally {
    postgres.destroy();
    issuer.cleanUp();
  }
}

/** Two services under the same load, alternated in one run; both are stopped after. */
async function costOf(
  without: ChildServer,
  withIt: ChildServer,
  scenario: HttpScenario,
  load: LoadSettings,
): Promise<CostComparison> {
  try {
    const [base, measured] = await alternate([without, withIt], scenario, load);
    return {
      without: base,
      with: measured,
      cost: 1 - measured.requestsPerSecond / base.requestsPerSecond,
      cpuCost: (measured.targetCpuMsPerRequest ?? NaN) / (base.targetCpuMsPerRequest ?? NaN) - 1,
    };
  } finally {
    await Promise.all([without.stop(), withIt.stop()]);
  }
}

type ServiceStarter = (entry?: string, env?: Record<string, string>, nodeFlags?: string[]) => Promise<ChildServer>;

async function runMemory(startService: ServiceStarter, typical: HttpScenario, settings: Settings): Promise<MemorySoak> {
  progress(`memory: ${settings.memoryRequests.toLocaleString('en-US')} requests of the typical patient`);
  const service = await startService();
  try {
    return await memorySoak(service, typical, settings.memoryRequests, settings.load.connections);
  } finally {
    await service.stop();
  }
}

async function runCluster(startService: ServiceStarter, typical: HttpScenario, settings: Settings) {
  const workers = os.availableParallelism();
  progress(`multi-core: one process vs cluster of ${workers}`);
  const single = await startService();
  const clustered = await startService(CLUSTER_ENTRY, { SPINE_CDS_WORKERS: String(workers) });
  try {
    const [one, many] = await alternate([single, clustered], typical, settings.load);
    return { workers, single: one, cluster: many, ratio: many.requestsPerSecond / one.requestsPerSecond };
  } finally {
    await Promise.all([single.stop(), clustered.stop()]);
  }
}

/** The embedded card ledger off and on, alternated in one run: what recording every card costs a hook call. */
async function runLedger(startService: ServiceStarter, typical: HttpScenario, settings: Settings) {
  progress('card ledger: off vs on (embedded store)');
  const off = await startService(SERVER_ENTRY, { SPINE_CDS_LEDGER: 'off' });
  const on = await startService(SERVER_ENTRY, { SPINE_CDS_LEDGER: 'on' });
  return costOf(off, on, typical, settings.load);
}

async function runProfile(
  startService: ServiceStarter,
  typical: HttpScenario,
  settings: Settings,
  scratch: string,
): Promise<ProfileSummary> {
  progress('CPU profile of the service under the typical load');
  const profileDir = path.join(scratch, 'profiles');
  return profileService(
    () => startService(SERVER_ENTRY, {}, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
    typical,
    settings.load,
    profileDir,
  );
}

async function startFhirServer(resources: unknown[], scratch: string): Promise<ChildServer> {
  const file = path.join(scratch, 'fhir-resources.json');
  fs.writeFileSync(file, JSON.stringify(resources));
  return startHttpChild({
    entry: path.join(__dirname, 'fhir-server-process.js'),
    env: { BENCH_FHIR_RESOURCES: file },
    logFile: path.join(scratch, 'fhir.log'),
  });
}

function machine(): Report['machine'] {
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    commit: gitCommit(),
  };
}

/** Read-only: which commit the figures belong to (the work tree may carry changes on top of it). */
function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function commandLine(): string {
  const args = process.argv.slice(2);
  return `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
}

const GENERATED = /<!-- bench:begin[^>]*-->[\s\S]*<!-- bench:end -->/;

/**
 * Raw results always go to dist/bench/; BENCHMARKS.md's generated section is replaced only by a complete,
 * full-length run, so a quick or partial run never overwrites the published figures.
 */
function saveResults(report: Report, markdown: string, { complete }: { complete: boolean }): void {
  const dir = path.join(ROOT, 'dist', 'bench');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `results-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(report, null, 2));
  progress(`results: ${path.relative(ROOT, file)}`);
  if (!complete) return;
  const section =
    '<!-- bench:begin (generated by npm run bench; edit the text around it, not inside) -->\n' +
    `${markdown}\n<!-- bench:end -->`;
  const current = fs.existsSync(BENCHMARKS_MD) ? fs.readFileSync(BENCHMARKS_MD, 'utf8') : '';
  fs.writeFileSync(
    BENCHMARKS_MD,
    GENERATED.test(current) ? current.replace(GENERATED, () => section) : `${current}\n${section}\n`,
  );
  progress('BENCHMARKS.md updated');
}

function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
