import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Observation, Patient, Resource } from '@medplum/fhirtypes';
import { buildHookRequest } from '../../src/cli/scenarios/hook-request';
import type { Scenario } from '../../src/cli/scenarios/types';
import { loadRuleSet } from '../../src/rules/load-rule-set';
import { startFhirTestServer, type FhirTestServer } from '../support/fhir-test-server';
import { applyExampleFiles, exampleFiles, readmeSection } from '../support/rules-readme';
import { citedReferences, FHIR_REFERENCE } from '../support/cards';
import { postJson, PROJECT_ROOT, startService, TEST_NOW, type RunningService } from '../support/spine-service';

/**
 * Facts declared in rules/facts.json, over real HTTP against a running service that watches its rule files: the
 * README's worked example goes live on reload and its card cites the Condition it read, like a built-in fact's card;
 * a declared Observation fact over a ValueSet no built-in fact reads is fetched from the EHR's FHIR server (the
 * prefetch template asks for its codes); the catalogue lists the declared facts.
 */

const RELOAD_BOUND_MS = 4000;
const HOOK_URL = '/cds-services/spine-patient-view';

let root: string;
let rulesDir: string;
let valueSetsDir: string;
let fhir: FhirTestServer;
let service: RunningService;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-declared-facts-'));
  fs.cpSync(path.join(PROJECT_ROOT, 'rules'), path.join(root, 'rules'), { recursive: true });
  fs.cpSync(path.join(PROJECT_ROOT, 'fhir-profiles'), path.join(root, 'fhir-profiles'), { recursive: true });
  rulesDir = path.join(root, 'rules');
  valueSetsDir = path.join(root, 'fhir-profiles', 'valuesets');
  fhir = await startFhirTestServer();
  service = await startService(
    {
      SPINE_CDS_RULES_DIR: rulesDir,
      SPINE_CDS_VALUESETS_DIR: valueSetsDir,
      SPINE_CDS_RULES_POLL_SECONDS: '0',
      SPINE_CDS_FHIR_SERVERS: fhir.baseUrl,
    },
    TEST_NOW,
    { watch: true },
  );
});

afterAll(async () => {
  await service.close();
  await fhir.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Waits (within the bound) until /readyz names the version the files on disk load as; returns the files it changed. */
async function expectLive(): Promise<string[]> {
  const expected = loadRuleSet(rulesDir, valueSetsDir).version;
  const deadline = Date.now() + RELOAD_BOUND_MS;
  const readyz = async () =>
    (await (await fetch(`${service.baseUrl}/readyz`)).json()) as {
      ruleSetVersion: string;
      lastReload?: { changedFiles: string[] };
    };
  let live = await readyz();
  while (live.ruleSetVersion !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    live = await readyz();
  }
  expect(live.ruleSetVersion).toBe(expected);
  return live.lastReload?.changedFiles ?? [];
}

interface Card {
  summary: string;
  detail: string;
  source: { topic?: { code?: string } };
}

async function cardsFor(body: unknown): Promise<Card[]> {
  const answer = await postJson(`${service.baseUrl}${HOOK_URL}`, body);
  expect(answer.status).toBe(200);
  return answer.body.cards as Card[];
}

const cardOf = (cards: Card[], rule: string) => cards.find((card) => card.source.topic?.code === rule);

test("the README's new fact goes live on reload, and its card cites the Condition it read", async () => {
  const section = readmeSection('## Worked example: a new fact from a new ValueSet');
  const files = exampleFiles(section);
  applyExampleFiles(root, files);
  // The pack is written last, so the reload that brings the final version always names it.
  expect(await expectLive()).toContain('rules/packs/pathway.json');

  const ruleSet = loadRuleSet(rulesDir, valueSetsDir);
  const [withDepression, resolved] = files.find((file) => file.target === 'rules/scenarios/psychosocial.json')?.value
    .scenarios as Scenario[];
  const card = cardOf(
    await cardsFor(buildHookRequest(withDepression as Scenario, ruleSet)),
    'psychological-support-depression',
  );
  expect(card?.detail).toContain('Depression diagnosis');
  // The record it read is cited like any built-in fact's: in the card's citations, out of the prose.
  expect(citedReferences(card)).toContain('Condition/ps-depression-mdd');
  expect(card?.detail).not.toMatch(FHIR_REFERENCE);
  const none = await cardsFor(buildHookRequest(resolved as Scenario, ruleSet));
  expect(cardOf(none, 'psychological-support-depression')).toBeUndefined();

  const catalogue = await (await fetch(`${service.baseUrl}/rules`)).text();
  const declared = catalogue.slice(catalogue.indexOf('id="declared-facts"'));
  expect(declared).toMatch(
    /<tr id="fact-depressionDiagnosed">[\s\S]*Depression diagnosis[\s\S]*psychological-support-depression/,
  );
});

test('a declared Observation fact over a new ValueSet reads values fetched from the FHIR server', async () => {
  const file = (name: string) => path.join(rulesDir, name);
  const json = (name: string) => JSON.parse(fs.readFileSync(file(name), 'utf8'));
  fs.writeFileSync(
    path.join(valueSetsDir, 'phq-9-score.json'),
    JSON.stringify({
      resourceType: 'ValueSet',
      id: 'phq-9-score',
      url: 'https://fhir.spine-cds.example/ValueSet/phq-9-score',
      name: 'Phq9Score',
      title: 'PHQ-9 total score',
      status: 'active',
      description: 'Test ValueSet: the PHQ-9 total score.',
      compose: {
        include: [{ system: 'http://loinc.org', concept: [{ code: '44261-6', display: 'PHQ-9 total score' }] }],
      },
    }),
  );
  const parameters = json('parameters.json');
  parameters.parameters.testPhq9Min = { value: 10, unit: '{score}', description: 'test threshold', source: 'test' };
  fs.writeFileSync(file('parameters.json'), JSON.stringify(parameters));
  const facts = json('facts.json');
  facts.facts.phq9Score = {
    label: 'Latest PHQ-9 total score',
    from: 'Observation',
    valueSets: ['phq-9-score'],
    withinDays: 90,
    unit: '{score}',
    range: [0, 27],
  };
  fs.writeFileSync(file('facts.json'), JSON.stringify(facts));
  const pack = json('packs/pathway.json');
  const template = pack.rules.find((rule: { name: string }) => rule.name === 'psychological-support-depression');
  pack.rules.push({
    ...template,
    name: 'test-phq9',
    when: {
      all: [
        { fact: 'backPain', operator: 'equal', value: true },
        { fact: 'phq9Score', operator: 'greaterThanInclusive', value: { param: 'testPhq9Min' } },
      ],
    },
    card: { ...template.card, checks: ['phq9Score'] },
  });
  fs.writeFileSync(file('packs/pathway.json'), JSON.stringify(pack));
  await expectLive();

  const patient: Patient = { resourceType: 'Patient', id: 'phq', birthDate: '1970-01-01', gender: 'male' };
  const score: Observation = {
    resourceType: 'Observation',
    id: 'phq-score',
    status: 'final',
    subject: { reference: 'Patient/phq' },
    code: { coding: [{ system: 'http://loinc.org', code: '44261-6' }] },
    effectiveDateTime: '2026-11-01',
    valueQuantity: { value: 14, unit: '{score}', system: 'http://unitsofmeasure.org', code: '{score}' },
  };
  const backPain = {
    resourceType: 'Condition',
    id: 'phq-lbp',
    subject: { reference: 'Patient/phq' },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '279039007' }] },
    onsetDateTime: '2026-10-01',
  } as Resource;
  await fhir.load([patient, score, backPain]);
  fhir.reset();

  const cards = await cardsFor({
    hook: 'patient-view',
    hookInstance: '0b5b6a8e-1d1c-4a55-9d36-4b0c6ef3c001',
    fhirServer: fhir.baseUrl,
    context: { userId: 'Practitioner/test', patientId: 'phq' },
  });
  const observationQuery = fhir.requests.find((request) => request.url.includes('/Observation?'));
  expect(decodeURIComponent(observationQuery?.url ?? '')).toContain('http://loinc.org|44261-6');
  const card = cardOf(cards, 'test-phq9');
  expect(citedReferences(card)).toContain('Observation/phq-score');
  expect(card?.detail).not.toMatch(FHIR_REFERENCE);
  expect(card?.detail).toContain('Latest PHQ-9 total score');
});
