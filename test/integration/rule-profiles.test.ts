import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Observation, Patient, Resource } from '@medplum/fhirtypes';
import { buildHookRequest } from '../../src/cli/scenarios/hook-request';
import { loadScenarios } from '../../src/cli/scenarios/load';
import type { LoadedScenario } from '../../src/cli/scenarios/types';
import { serviceDefinitions } from '../../src/cds/services';
import { ConfigError, loadConfig } from '../../src/config';
import { formatProblem, loadRuleSet, RuleSetError } from '../../src/rules/load-rule-set';
import { MODALITIES, OBSERVATIONS } from '../population/clinical-lists';
import { generatePatients } from '../population/generate-patients';
import { populationRequests } from '../population/population-requests';
import { truthOf, type Card } from '../population/safety-oracle';
import {
  bundledRuleSet,
  postJson,
  PROJECT_ROOT,
  startService,
  TEST_NOW,
  type RunningService,
} from '../support/spine-service';

/**
 * Rule profiles (rules/profiles, SPINE_CDS_RULES_PROFILE): how a profile layers over the default, what the service
 * says about the profile it serves, and the safety promises: the default profile never offers traction, non-surgical
 * decompression or inversion; the decompression-clinic profile offers its programme only with every traction
 * contraindication checked and none absolute. The safety checks are written from docs/clinical.md with the
 * population oracle's own code lists (test/population), not from the rules.
 */

const RULES_DIR = path.join(PROJECT_ROOT, 'rules');
const VALUESETS_DIR = path.join(PROJECT_ROOT, 'fhir-profiles', 'valuesets');
const CLINIC = 'decompression-clinic';
const CLINIC_ONLY_RULES = ['decompression-programme', 'decompression-unchecked'];
const SEED = Number(process.env.SAFETY_SEED ?? 20261128);
const PATIENTS = Number(process.env.SAFETY_PATIENTS ?? 1000);

const temporaryDirs: string[] = [];
afterAll(() => temporaryDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A copy of the project's rules folder, named `rules` so its files hash under the same names. */
function copyOfRules(options: { withoutProfiles?: boolean } = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-profiles-'));
  temporaryDirs.push(root);
  const rulesDir = path.join(root, 'rules');
  fs.cpSync(RULES_DIR, rulesDir, { recursive: true });
  if (options.withoutProfiles) fs.rmSync(path.join(rulesDir, 'profiles'), { recursive: true });
  return rulesDir;
}

describe('loading a profile', () => {
  test('the default profile is the rules folder alone: the profiles folder changes nothing in it', () => {
    const alone = loadRuleSet(copyOfRules({ withoutProfiles: true }), VALUESETS_DIR);
    const bundled = bundledRuleSet();
    expect(bundled.profile).toBe('default');
    expect(bundled.version).toBe(alone.version);
    expect(bundled.rules.map((rule) => rule.spec.name)).toEqual(alone.rules.map((rule) => rule.spec.name));
    expect(bundled.rules.map((rule) => rule.spec.name)).not.toEqual(expect.arrayContaining(CLINIC_ONLY_RULES));
  });

  test("decompression-clinic adds its pack's rules and its parameters to the default's, which it keeps", () => {
    const clinic = bundledRuleSet(CLINIC);
    const defaults = bundledRuleSet();
    expect(clinic.profile).toBe(CLINIC);
    expect(clinic.version).not.toBe(defaults.version);
    const names = clinic.rules.map((rule) => rule.spec.name);
    expect(names.filter((name) => !defaults.rules.some((rule) => rule.spec.name === name))).toEqual(CLINIC_ONLY_RULES);
    expect(names.slice(0, defaults.rules.length)).toEqual(defaults.rules.map((rule) => rule.spec.name));
    expect(clinic.parameters).toEqual({ ...defaults.parameters, decompressionMinPain: 5 });
    expect(defaults.parameters).not.toHaveProperty('decompressionMinPain');
  });

  test("a parameter a profile names replaces the default's, in that profile only", () => {
    const rulesDir = copyOfRules();
    const profileDir = path.join(rulesDir, 'profiles', 'strict-injections');
    fs.mkdirSync(profileDir);
    const injectionMinPain = { value: 8, unit: '0-10', description: 'Stricter injection threshold.', source: 'test' };
    fs.writeFileSync(path.join(profileDir, 'parameters.json'), JSON.stringify({ parameters: { injectionMinPain } }));
    const strict = loadRuleSet(rulesDir, VALUESETS_DIR, 'strict-injections');
    expect(strict.parameters.injectionMinPain).toBe(8);
    expect(strict.parameterSpecs.injectionMinPain).toEqual(injectionMinPain);
    expect(strict.rules).toHaveLength(bundledRuleSet().rules.length);
    expect(loadRuleSet(rulesDir, VALUESETS_DIR).parameters.injectionMinPain).toBe(
      bundledRuleSet().parameters.injectionMinPain,
    );
    expect(bundledRuleSet().parameters.injectionMinPain).not.toBe(8);
  });

  test('a mistake in a profile is refused naming its file, and leaves the default profile loadable', () => {
    const rulesDir = copyOfRules();
    fs.writeFileSync(path.join(rulesDir, 'profiles', CLINIC, 'packs', 'broken.json'), '{ "pack": "broken", ');
    let problems: string[] = [];
    try {
      loadRuleSet(rulesDir, VALUESETS_DIR, CLINIC);
    } catch (error) {
      if (!(error instanceof RuleSetError)) throw error;
      problems = error.problems.map(formatProblem);
    }
    expect(problems).toEqual([
      expect.stringMatching(/^- rules\/profiles\/decompression-clinic\/packs\/broken\.json: is not valid JSON/),
    ]);
    expect(loadRuleSet(rulesDir, VALUESETS_DIR).profile).toBe('default');
  });

  test('an unknown profile stops start-up with a message naming the setting and the known profiles', () => {
    expect(() => loadConfig({ SPINE_CDS_RULES_PROFILE: 'chiropractic' })).toThrow(ConfigError);
    expect(() => loadConfig({ SPINE_CDS_RULES_PROFILE: 'chiropractic' })).toThrow(
      new RegExp(
        /SPINE_CDS_RULES_PROFILE: no rule profile "chiropractic" in .*rules\/profiles; /.source +
          /known profiles: default, decompression-clinic/.source,
      ),
    );
    expect(loadConfig({}).rulesProfile).toBe('default');
    expect(loadConfig({ SPINE_CDS_RULES_PROFILE: CLINIC }).rulesProfile).toBe(CLINIC);
  });
});

const clinicScenarios = loadScenarios(RULES_DIR, undefined, bundledRuleSet(CLINIC));
const defaultScenarios = loadScenarios(RULES_DIR, undefined, bundledRuleSet());
const scenarioNamed = (name: string) =>
  clinicScenarios.scenarios.find((scenario) => scenario.name === name) as LoadedScenario;

/** The id discovery gives the service of a hook: the one place that names it. */
const serviceIdOf = (hook: string) => serviceDefinitions(bundledRuleSet()).find((s) => s.hook === hook)?.id;

async function callScenario(service: RunningService, scenario: LoadedScenario, profile = 'default') {
  const ruleSet = bundledRuleSet(profile);
  const id = serviceIdOf(scenario.hook);
  return postJson(`${service.baseUrl}/cds-services/${id}`, buildHookRequest(scenario, ruleSet));
}

const ruleNames = (cards: Card[]) =>
  cards.map((card) => (card as { source?: { topic?: { code?: string } } }).source?.topic?.code);

describe('a service running the decompression-clinic profile', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startService({ SPINE_CDS_RULES_PROFILE: CLINIC });
  });
  afterAll(async () => service.close());

  test('hook answers, /readyz and /rules name the profile; the pathway shows the step-4 rule', async () => {
    const answer = await callScenario(service, scenarioNamed('dc-programme-sciatica'), CLINIC);
    expect(answer.status).toBe(200);
    expect(ruleNames(answer.body.cards)).toContain('decompression-programme');
    const version = bundledRuleSet(CLINIC).version;
    expect(answer.headers.get('x-rule-set-version')).toBe(`${version}; profile=decompression-clinic`);

    const ready = await (await fetch(`${service.baseUrl}/readyz`)).json();
    expect(ready).toMatchObject({ ruleSetVersion: version, rulesProfile: CLINIC });

    const page = await fetch(`${service.baseUrl}/rules`);
    expect(page.headers.get('x-rule-set-version')).toBe(`${version}; profile=decompression-clinic`);
    const html = await page.text();
    expect(html).toContain('<strong id="rules-profile">decompression-clinic</strong>');
    // Step 4 runs from its own item to the next step's.
    const stepFour =
      /<li class="step" id="step-decompression">[\s\S]*?(?=<li class="step"|<\/ol>)/.exec(html)?.[0] ?? '';
    expect(stepFour).toMatch(/Reached by<\/span><ul>.*>decompression-programme<\/a>.*>decompression-unchecked<\/a>/);
  });

  test('the programme card states its evidence honestly and offers a coded ServiceRequest', async () => {
    const answer = await callScenario(service, scenarioNamed('dc-programme-sciatica'), CLINIC);
    const card = answer.body.cards.find((c: Card) => ruleNames([c])[0] === 'decompression-programme');
    expect(card.detail).toMatch(/little or no difference to pain or function/);
    expect(card.detail).toMatch(/NICE advises against offering it/);
    expect(card.detail).toMatch(/insurers generally do not cover it/);
    // Every traction contraindication is stated as checked: absent ones in one line, measured ones with their values.
    expect(card.detail).toMatch(/\*\*No record of:\*\* osteoporosis, fracture, .*pregnancy, recent spinal surgery/);
    expect(card.detail).toMatch(/\*\*Also checked:\*\* T-score -?[\d.]+;.*BP \d+\/\d+;.*BMI [\d.]+/);
    expect(card.detail).not.toMatch(/Could not be checked/);
    const created = card.suggestions.flatMap((s: { actions: Array<{ resource: Resource }> }) =>
      s.actions.map((a) => a.resource),
    );
    expect(created[0]).toMatchObject({
      resourceType: 'ServiceRequest',
      code: { coding: [{ system: 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', code: 'S9090' }] },
    });
    expect(card.suggestions[0].isRecommended).toBe(false);
  });

  test(`a relative contraindication is stated on the programme card; \
missing data blocks it and says what`, async () => {
    const relative = await callScenario(service, scenarioNamed('dc-programme-relative-stated'), CLINIC);
    const offered = relative.body.cards.find((c: Card) => ruleNames([c])[0] === 'decompression-programme');
    expect(offered.summary).toMatch(/caution: BP 165\/102/);
    expect(offered.indicator).toBe('warning');

    const blocked = await callScenario(service, scenarioNamed('dc-unchecked-no-bone-density'), CLINIC);
    const card = blocked.body.cards.find((c: Card) => ruleNames([c])[0] === 'decompression-unchecked');
    expect(card.detail).toMatch(/\*\*Could not be checked\*\*[^\n]*T-score/);
    // Said once, in words: the list of fact ids behind the rule is not a reason shown to the clinician.
    expect(card.detail).not.toMatch(/Facts that could not be checked|lowestTScore/);
    expect(card.suggestions).toBeUndefined();
  });
});

test('a running service reloads the files of its active profile, and still names it', async () => {
  const rulesDir = copyOfRules();
  const service = await startService({ SPINE_CDS_RULES_DIR: rulesDir, SPINE_CDS_RULES_PROFILE: CLINIC }, TEST_NOW, {
    watch: true,
  });
  try {
    const before = service.ruleSets.current().version;
    const call = async () => callScenario(service, scenarioNamed('dc-programme-sciatica'), CLINIC);
    expect(ruleNames((await call()).body.cards)).toContain('decompression-programme');
    // The patient's pain is 6/10: a threshold of 7 in the profile's own parameters takes the programme away.
    const file = path.join(rulesDir, 'profiles', CLINIC, 'parameters.json');
    const parameters = JSON.parse(fs.readFileSync(file, 'utf8'));
    parameters.parameters.decompressionMinPain.value = 7;
    fs.writeFileSync(file, JSON.stringify(parameters, null, 2));
    const deadline = Date.now() + 20_000;
    while (service.ruleSets.current().version === before && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const after = service.ruleSets.current().version;
    expect(after).not.toBe(before);
    const ready = await (await fetch(`${service.baseUrl}/readyz`)).json();
    expect(ready).toMatchObject({
      ruleSetVersion: after,
      rulesProfile: CLINIC,
      lastReload: { changedFiles: ['rules/profiles/decompression-clinic/parameters.json'] },
    });
    const answer = await call();
    expect(answer.headers.get('x-rule-set-version')).toBe(`${after}; profile=decompression-clinic`);
    expect(ruleNames(answer.body.cards)).not.toContain('decompression-programme');
  } finally {
    await service.close();
  }
}, 30_000);

// ---------------------------------------------------------------------------------------------------------------
// Safety: who may be offered traction, decompression or inversion

const NON_SURGICAL_ORDERS = [...MODALITIES.traction.orders, ...MODALITIES.inversion.orders];
/** A card about non-surgical decompression (decompression surgery is another matter). */
const ABOUT_NON_SURGICAL = /traction|inversion|decompression (table|programme)|non-surgical decompression/i;
const ADVISES_AGAINST = new RegExp(
  [
    'not recommended',
    'little or no benefit',
    'no (evidence of )?benefit',
    'do not offer',
    'not for this patient',
    'caution',
    'contraindicated',
    'not offered',
  ].join('|'),
  'i',
);

/** Every way a response offers traction, non-surgical decompression or inversion, in words. */
function offersOf(cards: Card[]): string[] {
  const orders = cards.flatMap((card) =>
    (card.suggestions ?? []).flatMap((suggestion) =>
      (suggestion.actions ?? [])
        .filter((action) => action.type === 'create')
        .filter((action) => {
          const codes = (action.resource as { code?: { coding?: Array<{ code?: string }> } } | undefined)?.code?.coding;
          return (codes ?? []).some((coding) => NON_SURGICAL_ORDERS.some((order) => order.code === coding.code));
        })
        .map(() => `"${String(suggestion.label)}" orders it`),
    ),
  );
  const recommendations = cards
    .filter((card) => ABOUT_NON_SURGICAL.test(String(card.summary)) && !ADVISES_AGAINST.test(String(card.summary)))
    .map((card) => `"${String(card.summary)}" recommends it`);
  return [...orders, ...recommendations];
}

const DAY_MS = 86_400_000;
const PREGNANCY_RESULT = /pregnan|hCG|choriogonadotropin/i;
const T_SCORES = [...OBSERVATIONS.tScore, '38264-8', '38263-0'];

/** Whether the record holds everything the traction contraindications need (docs/clinical.md), as of `now`. */
function tractionChecksPossible(resources: Resource[], prefetched: Set<string>, now: Date): string[] {
  const observations = resources.filter((r): r is Observation => r.resourceType === 'Observation');
  const codes = (o: Observation) => (o.code?.coding ?? []).map((c) => c.code ?? '');
  const ageDays = (o: Observation) => (now.getTime() - Date.parse(o.effectiveDateTime ?? '1900-01-01')) / DAY_MS;
  const recent = (match: (o: Observation) => boolean, days: number) =>
    observations.some((o) => match(o) && ageDays(o) <= days);
  const missing: string[] = [];
  if (!prefetched.has('observations')) missing.push('observations');
  if (!prefetched.has('procedures')) missing.push('procedure history');
  if (!observations.some((o) => codes(o).some((c) => T_SCORES.includes(c)))) missing.push('bone density');
  if (!recent((o) => codes(o).some((c) => [...OBSERVATIONS.bpPanels, OBSERVATIONS.systolic].includes(c)), 365))
    missing.push('blood pressure');
  if (!recent((o) => codes(o).includes(OBSERVATIONS.bmi), 365)) missing.push('BMI');
  const patient = resources.find((r): r is Patient => r.resourceType === 'Patient');
  const age = (now.getTime() - Date.parse(patient?.birthDate ?? '1900-01-01')) / (365.25 * DAY_MS);
  const maybePregnant = patient?.gender !== 'male' && !(patient?.gender === 'female' && (age < 12 || age > 55));
  const pregnancyKnown = recent((o) => PREGNANCY_RESULT.test(JSON.stringify(o.code)), 7);
  if (maybePregnant && !pregnancyKnown) missing.push('pregnancy status');
  return missing;
}

interface Call {
  name: string;
  resources: Resource[];
  body: Record<string, unknown>;
  hook: string;
}

function scenarioCall(scenario: LoadedScenario): Call {
  return {
    name: scenario.name,
    resources: scenario.resources,
    hook: scenario.hook,
    body: buildHookRequest(scenario, bundledRuleSet()),
  };
}

function populationCalls(): Call[] {
  return generatePatients(PATIENTS, SEED, TEST_NOW).flatMap((patient) =>
    populationRequests(patient).map(({ hook, body }) => ({
      name: patient.id,
      resources: patient.resources,
      hook,
      body: body as Record<string, unknown>,
    })),
  );
}

/** The eligible clinic patient with one prefetch key left out: data the service then does not have. */
function withoutPrefetch(key: string): Call {
  const call = scenarioCall(scenarioNamed('dc-programme-sciatica'));
  const { [key]: _left, ...prefetch } = call.body.prefetch as Record<string, unknown>;
  return { ...call, name: `${call.name} without ${key}`, body: { ...call.body, prefetch } };
}

async function answer(service: RunningService, call: Call): Promise<Card[]> {
  const response = await postJson(`${service.baseUrl}/cds-services/${serviceIdOf(call.hook)}`, call.body);
  if (response.status !== 200) throw new Error(`${call.name}: HTTP ${response.status}`);
  return response.body.cards as Card[];
}

async function answerAll(service: RunningService, calls: Call[]): Promise<Array<{ call: Call; cards: Card[] }>> {
  const queue = [...calls];
  const answers: Array<{ call: Call; cards: Card[] }> = [];
  const worker = async () => {
    for (let call = queue.shift(); call; call = queue.shift())
      answers.push({ call, cards: await answer(service, call) });
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return answers;
}

const everyScenario = () => {
  expect(defaultScenarios.problems).toEqual([]);
  expect(clinicScenarios.problems).toEqual([]);
  return [...defaultScenarios.scenarios, ...clinicScenarios.scenarios].map(scenarioCall);
};

test('the offer check finds an offer when there is one (so finding none below means something)', async () => {
  const clinic = await startService({ SPINE_CDS_RULES_PROFILE: CLINIC });
  try {
    const cards = await answer(clinic, scenarioCall(scenarioNamed('dc-programme-sciatica')));
    expect(offersOf(cards)).toEqual([
      `"Order the clinic's decompression programme (patient told of the evidence)" orders it`,
    ]);
  } finally {
    await clinic.close();
  }
});

test(`the default profile never recommends, suggests or orders traction, decompression or inversion \
(every scenario of both profiles, ${PATIENTS} population patients)`, async () => {
  const service = await startService();
  try {
    const answers = await answerAll(service, [...everyScenario(), ...populationCalls()]);
    const found = answers.flatMap(({ call, cards }) => offersOf(cards).map((offer) => `${call.name}: ${offer}`));
    expect(found).toEqual([]);
    // The check had something to look at: cards about traction were answered.
    expect(
      answers.filter(({ cards }) => cards.some((c) => ABOUT_NON_SURGICAL.test(String(c.summary)))).length,
    ).toBeGreaterThan(50);
  } finally {
    await service.close();
  }
}, 180_000);

test(`decompression-clinic never offers it under an absolute contraindication or with needed data missing \
(every scenario of both profiles, ${PATIENTS} population patients, missing prefetch)`, async () => {
  const service = await startService({ SPINE_CDS_RULES_PROFILE: CLINIC });
  try {
    const missingKeys = ['observations', 'procedures'].map(withoutPrefetch);
    const answers = await answerAll(service, [...everyScenario(), ...populationCalls(), ...missingKeys]);
    const found: string[] = [];
    let offered = 0;
    for (const { call, cards } of answers) {
      const offers = offersOf(cards);
      if (offers.length === 0) continue;
      offered++;
      const absolute = truthOf(call.resources, TEST_NOW).contraindications.traction.filter((c) => c.absolute);
      const prefetched = new Set(Object.keys((call.body.prefetch as object | undefined) ?? {}));
      const missing = tractionChecksPossible(call.resources, prefetched, TEST_NOW);
      if (absolute.length > 0)
        found.push(`${call.name}: ${offers.join('; ')} under ${absolute.map((c) => c.name).join(', ')}`);
      if (missing.length > 0) found.push(`${call.name}: ${offers.join('; ')} with no ${missing.join(', ')}`);
    }
    expect(found).toEqual([]);
    expect(offered).toBeGreaterThanOrEqual(3);
    // Without observations or procedure history the programme is blocked, and the card says what is missing.
    for (const { call, cards } of answers.filter(({ call }) => call.name.includes(' without '))) {
      expect(`${call.name}: ${ruleNames(cards).join(', ')}`).toMatch(/: .*decompression-unchecked/);
      const blocked = cards.find((card) => ruleNames([card])[0] === 'decompression-unchecked');
      expect(String(blocked?.detail)).toMatch(/\*\*Could not be checked\*\*/);
    }
  } finally {
    await service.close();
  }
}, 180_000);
