import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFhirTestServer } from '../support/fhir-test-server';
import { PROJECT_ROOT, postJson, startService, type RunningService } from '../support/spine-service';

/** Rule authors edit files under a running service: good edits go live, bad ones never do. */

let workDir: string;
let service: RunningService;
const example = JSON.parse(
  fs.readFileSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'requests', 'patient-view.json'), 'utf8'),
);
const parametersFile = () => path.join(workDir, 'rules', 'parameters.json');

async function readyz(): Promise<{ ruleSetVersion: string; rejectedReload?: { problems: string[] } }> {
  return (await fetch(`${service.baseUrl}/readyz`)).json() as Promise<{
    ruleSetVersion: string;
    rejectedReload?: { problems: string[] };
  }>;
}

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const cardRules = async () => {
  const response = await postJson(`${service.baseUrl}/cds-services/spine-patient-view`, example);
  return {
    rules: response.body.cards.map((card: any) => card.source.topic.code) as string[],
    // The header is `<version>; profile=<profile>`; the version alone is compared with /readyz.
    version: /^([0-9a-f]{12}); profile=default$/.exec(response.headers.get('x-rule-set-version') ?? '')?.[1],
  };
};

beforeEach(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-reload-'));
  fs.cpSync(path.join(PROJECT_ROOT, 'rules'), path.join(workDir, 'rules'), { recursive: true });
  fs.cpSync(path.join(PROJECT_ROOT, 'fhir-profiles'), path.join(workDir, 'fhir-profiles'), { recursive: true });
  service = await startService(
    {
      SPINE_CDS_RULES_DIR: path.join(workDir, 'rules'),
      SPINE_CDS_VALUESETS_DIR: path.join(workDir, 'fhir-profiles', 'valuesets'),
    },
    new Date('2026-11-21T12:00:00Z'),
    { watch: true },
  );
});

afterEach(async () => {
  await service.close();
  fs.rmSync(workDir, { recursive: true, force: true });
});

test('a threshold edit goes live without a restart and the responses name the new version', async () => {
  const before = await cardRules();
  expect(before.version).toMatch(/^[0-9a-f]{12}$/);
  expect(before.rules).toContain('injection-consider');
  const parameters = JSON.parse(fs.readFileSync(parametersFile(), 'utf8'));
  parameters.parameters.injectionMinPain.value = 8; // the example patient's pain score is 7
  fs.writeFileSync(parametersFile(), JSON.stringify(parameters, null, 2));

  const after = await waitFor(cardRules, (result) => result.version !== before.version);
  expect(after.version).not.toBe(before.version);
  expect(after.rules).not.toContain('injection-consider');
  expect((await readyz()).ruleSetVersion).toBe(after.version);
  expect(service.logs.some((line) => line.event === 'rules-reloaded')).toBe(true);
});

test.each([
  [
    'a JSON syntax error',
    (dir: string) => fs.writeFileSync(path.join(dir, 'rules', 'packs', 'pathway.json'), '{ "pack": '),
    /pathway\.json: is not valid JSON/,
  ],
  [
    'a rule naming an unknown fact',
    (dir: string) => {
      const file = path.join(dir, 'rules', 'packs', 'pathway.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"fact": "backPain"', '"fact": "backPian"'));
    },
    new RegExp(
      /pathway\.json › rule "imaging-not-yet" › rules\[0\]\.when\.all\[0\]\.fact: /.source +
        /"backPian" is unknown\. Did you mean "backPain"\?/.source,
    ),
  ],
  [
    'two rules with the same name',
    (dir: string) => {
      const file = path.join(dir, 'rules', 'packs', 'orders.json');
      fs.writeFileSync(
        file,
        fs.readFileSync(file, 'utf8').replace('"name": "order-traction"', '"name": "physiotherapy"'),
      );
    },
    /is already used by a rule in rules\/packs\/(orders|pathway)\.json/,
  ],
  [
    'a ValueSet that does not parse',
    (dir: string) =>
      fs.writeFileSync(path.join(dir, 'fhir-profiles', 'valuesets', 'bmi.json'), '{"resourceType": "ValueSet",'),
    /bmi\.json/,
  ],
])('%s is rejected: the previous set keeps serving and /readyz says why', async (_name, breakIt, message) => {
  const before = await cardRules();
  breakIt(workDir);
  const status = await waitFor(readyz, (value) => value.rejectedReload !== undefined);
  expect(status.ruleSetVersion).toBe(before.version);
  expect(status.rejectedReload?.problems.join('\n')).toMatch(message);
  const after = await cardRules();
  expect(after).toEqual(before);
  expect(service.logs.some((line) => line.event === 'rules-rejected')).toBe(true);
});

test(`a rejection is shown on /rules while it stands, and \
clears once the files are back to the serving version`, async () => {
  const before = await cardRules();
  const original = fs.readFileSync(parametersFile(), 'utf8');
  fs.writeFileSync(parametersFile(), original.replace('"obesityBmi": { "value": 30', '"obesityBmi": { "value": "30"'));
  const status = await waitFor(readyz, (value) => value.rejectedReload !== undefined);
  expect(status.rejectedReload?.problems.join('\n')).toMatch(/obesityBmi/);
  const page = await (await fetch(`${service.baseUrl}/rules`)).text();
  expect(page).toContain('id="rejected-reload"');
  expect(page).toContain('rules/parameters.json');

  fs.writeFileSync(parametersFile(), original);
  const cleared = await waitFor(readyz, (value) => value.rejectedReload === undefined);
  expect(cleared.rejectedReload).toBeUndefined();
  expect(cleared.ruleSetVersion).toBe(before.version);
  expect(await (await fetch(`${service.baseUrl}/rules`)).text()).not.toContain('id="rejected-reload"');
});

test('a request in flight finishes on the rule set it started with', async () => {
  // Hold the request inside its FHIR read while the rule set is replaced under it.
  const fhir = await startFhirTestServer();
  const slowService = await startService(
    {
      SPINE_CDS_RULES_DIR: path.join(workDir, 'rules'),
      SPINE_CDS_VALUESETS_DIR: path.join(workDir, 'fhir-profiles', 'valuesets'),
      SPINE_CDS_FHIR_SERVERS: fhir.baseUrl,
    },
    new Date('2026-11-21T12:00:00Z'),
  );
  try {
    await fhir.load(example.prefetch.conditions.entry.map((entry: { resource: unknown }) => entry.resource));
    fhir.setFault({ kind: 'slow', delayMs: 400 }, { match: /Condition/ });
    const started = slowService.ruleSets.current().version;
    const { conditions: _fetchedInstead, ...prefetch } = example.prefetch;
    const inFlight = postJson(`${slowService.baseUrl}/cds-services/spine-patient-view`, {
      ...example,
      fhirServer: fhir.baseUrl,
      prefetch,
    });
    await waitFor(
      async () => fhir.requests.length,
      (count) => count > 0,
    );

    const parameters = JSON.parse(fs.readFileSync(parametersFile(), 'utf8'));
    parameters.parameters.injectionMinPain.value = 8;
    fs.writeFileSync(parametersFile(), JSON.stringify(parameters, null, 2));
    expect(slowService.ruleSets.reload().status).toBe('replaced');

    const response = await inFlight;
    expect(response.headers.get('x-rule-set-version')).toBe(`${started}; profile=default`);
    expect(response.body.cards.map((card: any) => card.source.topic.code)).toContain('injection-consider');
  } finally {
    await slowService.close();
    await fhir.close();
  }
});
