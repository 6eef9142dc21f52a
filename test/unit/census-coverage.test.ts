import fs from 'node:fs';
import path from 'node:path';
import type { Coding, Condition, MedicationRequest, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { computeFacts } from '../../src/clinical/facts';
import { PatientRecord, type RecordData } from '../../src/clinical/patient-record';
import { CENSUS, panelOf, type CensusConcept } from '../support/census';
import { bundledRuleSet, PROJECT_ROOT } from '../support/spine-service';

/**
 * Every Condition, MedicationRequest and Observation code of 615 Synthea R4 patients is either used by a named fact
 * (shown by behaviour: a record holding that code makes the fact cite it) or on the reviewed list of deliberately
 * irrelevant codes (test/fixtures/census-irrelevant.json, a reason per group). A relevant code can no longer pass
 * silently: a new census, or a ValueSet edit that drops a code, fails here until someone decides.
 */

const ruleSet = bundledRuleSet();
const NOW = new Date('2026-11-21T12:00:00Z');
const RECENT = '2026-11-14T09:00:00Z';
const PID = 'census-patient';
const CLASSIFIED = ['Condition', 'MedicationRequest', 'Observation'];

interface IrrelevantGroup {
  reason: string;
  codes: Array<{ code: string; display: string }>;
}
const irrelevant = JSON.parse(
  fs.readFileSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'census-irrelevant.json'), 'utf8'),
) as { groups: IrrelevantGroup[] };
const irrelevantCodes = new Map(irrelevant.groups.flatMap((group) => group.codes.map((c) => [c.code, group.reason])));

const patient: Patient = { resourceType: 'Patient', id: PID, birthDate: '1970-01-01', gender: 'female' };
const subject = { reference: `Patient/${PID}` };
const coding = (concept: CensusConcept): Coding => ({
  system: concept.system,
  code: concept.code,
  display: concept.display,
});

/**
 * The resources that carry a census concept, in the states a fact could read it: active and resolved, several
 * values.
 */
function carriers(concept: CensusConcept): Resource[] {
  if (concept.resourceType === 'Condition') {
    const base = (id: string): Condition => ({
      resourceType: 'Condition',
      id,
      subject,
      code: { coding: [coding(concept)] },
    });
    return [
      { ...base('active'), onsetDateTime: '2026-11-01', clinicalStatus: status('active') },
      {
        ...base('resolved'),
        onsetDateTime: '2018-01-01',
        abatementDateTime: '2019-01-01',
        clinicalStatus: status('resolved'),
      },
    ];
  }
  if (concept.resourceType === 'MedicationRequest') {
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest',
      id: 'active',
      status: 'active',
      intent: 'order',
      subject,
      medicationCodeableConcept: { coding: [coding(concept)] },
      authoredOn: '2026-10-01',
    };
    return [request];
  }
  // A component is carried by its panel; a panel carries the components the census shows for it.
  const panel = panelOf(concept);
  const panelCode = panel ?? concept.code;
  const components = panel ? [concept] : CENSUS.filter((other) => panelOf(other) === concept.code);
  return [-3, 5, 35, 150].map((value, i): Observation => {
    const quantity = { value, unit: 'unit' };
    const base: Observation = {
      resourceType: 'Observation',
      id: `obs-${i}`,
      status: 'final',
      subject,
      effectiveDateTime: RECENT,
      code: { coding: [{ system: 'http://loinc.org', code: panelCode }] },
    };
    return components.length > 0
      ? { ...base, component: components.map((c) => ({ code: { coding: [coding(c)] }, valueQuantity: quantity })) }
      : { ...base, valueQuantity: quantity };
  });
}

function status(code: string) {
  return { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code }] };
}

/** Facts that cite one of the carriers, each carrier in a record of its own. */
function factsUsing(concept: CensusConcept): string[] {
  const used = new Set<string>();
  for (const resource of carriers(concept)) {
    const data: RecordData = {
      patient,
      conditions: resource.resourceType === 'Condition' ? [resource] : [],
      observations: resource.resourceType === 'Observation' ? [resource] : [],
      procedures: [],
      medications: resource.resourceType === 'MedicationRequest' ? [resource] : [],
      status: Object.fromEntries(
        ['patient', 'conditions', 'observations', 'procedures', 'medications'].map((key) => [
          key,
          { available: true, source: 'prefetch' },
        ]),
      ),
    };
    const facts = computeFacts(
      new PatientRecord(data, ruleSet.terminology, NOW),
      { parameters: ruleSet.parameters, valueSetLists: ruleSet.valueSetLists, hook: 'patient-view', orders: [] },
      ruleSet.facts,
    );
    const reference = `${resource.resourceType}/${resource.id}`;
    for (const [id, fact] of Object.entries(facts))
      if (fact.cites.some((cite) => cite.reference === reference)) used.add(id);
  }
  return [...used].sort();
}

const classified = CENSUS.filter((concept) => CLASSIFIED.includes(concept.resourceType));
const label = (concept: CensusConcept) =>
  `${concept.resourceType} ${concept.element} ${concept.code} ${concept.display}`;

describe('every Condition, MedicationRequest and Observation code of the Synthea R4 census is classified', () => {
  const usage = new Map(classified.map((concept) => [concept, factsUsing(concept)]));

  test('each is used by a named fact or on the reviewed irrelevant list, never both', () => {
    const unclassified = classified
      .filter((c) => usage.get(c)!.length === 0 && !irrelevantCodes.has(c.code))
      .map(label);
    const contradictory = classified
      .filter((c) => usage.get(c)!.length > 0 && irrelevantCodes.has(c.code))
      .map(
        (c) =>
          `${label(c)}: used by ${usage.get(c)!.join(', ')} but listed as irrelevant (${irrelevantCodes.get(c.code)})`,
      );
    expect(unclassified).toEqual([]);
    expect(contradictory).toEqual([]);
  });

  test('the irrelevant list names only census codes (no stale entries) and gives each group a reason', () => {
    const censusCodes = new Set(classified.map((concept) => concept.code));
    expect([...irrelevantCodes.keys()].filter((code) => !censusCodes.has(code))).toEqual([]);
    for (const group of irrelevant.groups) expect(group.reason.length).toBeGreaterThan(20);
  });

  test.each([
    ['314994000', 'activeMalignancy'],
    ['94260004', 'activeMalignancy'],
    ['363406005', 'cancerHistory'],
    ['855332', 'anticoagulant'],
    ['314659', 'anticoagulant'],
    ['309362', 'antiplatelet'],
    ['243670', 'antiplatelet'],
    ['312617', 'immunosuppression'],
    ['105586', 'immunosuppression'],
    ['835900', 'immunosuppression'],
    ['88805009', 'heartFailure'],
    ['6072007', 'pepticUlcerOrBleed'],
    ['55284-4', 'systolic'],
    ['8480-6', 'systolic'],
    ['38265-5', 'lowestTScore'],
  ])('census code %s is read by %s', (code, fact) => {
    const concepts = classified.filter((concept) => concept.code === code);
    expect(concepts.length).toBeGreaterThan(0);
    for (const concept of concepts) expect(usage.get(concept)).toContain(fact);
  });

  test('every malignant neoplasm in the census is active malignancy when active, cancer history when resolved', () => {
    const malignant = classified.filter(
      (c) =>
        c.resourceType === 'Condition' &&
        /malignant|cancer|carcinoma of lung|neoplasm of prostate/i.test(c.display) &&
        !/in situ|suspected/i.test(c.display),
    );
    expect(malignant.length).toBeGreaterThanOrEqual(9);
    for (const concept of malignant)
      expect([label(concept), usage.get(concept)]).toEqual([
        label(concept),
        expect.arrayContaining(['activeMalignancy', 'cancerHistory']),
      ]);
  });
});
