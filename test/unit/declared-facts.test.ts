import type { Condition, MedicationRequest, Observation, Procedure, Resource } from '@medplum/fhirtypes';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Fact } from '../../src/clinical/computed-fact';
import { computeFacts, type DeclaredFact } from '../../src/clinical/facts';
import { PatientRecord, type RecordData } from '../../src/clinical/patient-record';
import { formatProblem, loadRuleSet, RuleSetError, type RuleSet } from '../../src/rules/load-rule-set';
import { PROJECT_ROOT, TEST_NOW } from '../support/spine-service';

/**
 * Facts declared in rules/facts.json: each kind read the way the built-in facts read the record (statuses, missing
 * data as unknown, citations), and each mistake in a declaration reported once, where it is.
 */

const DECLARED: Record<string, DeclaredFact> = {
  hypertensionActive: { label: 'Hypertension', from: 'Condition', valueSets: ['hypertension', 'heart-failure'] },
  hypertensionEver: {
    label: 'Hypertension, ever',
    from: 'Condition',
    valueSets: ['hypertension'],
    includeHistory: true,
  },
  hypertensionRecent: {
    label: 'Hypertension diagnosed this year',
    from: 'Condition',
    valueSets: ['hypertension'],
    withinDays: 365,
  },
  opioidPrescribed: { label: 'Opioid prescription', from: 'MedicationRequest', valueSets: ['opioid-medication'] },
  latestBmi: {
    label: 'BMI (declared)',
    from: 'Observation',
    valueSets: ['bmi'],
    withinDays: { param: 'vitalsMaxAgeDays' },
    unit: 'kg/m2',
    range: [8, 150],
  },
  recentSpinalSurgery: {
    label: 'Spinal surgery this year',
    from: 'Procedure',
    valueSets: ['spinal-surgery-procedure'],
    withinDays: { param: 'recentSpinalSurgeryDays' },
  },
};

function copyRules(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-declared-facts-'));
  fs.cpSync(path.join(PROJECT_ROOT, 'rules'), path.join(dir, 'rules'), { recursive: true });
  return dir;
}

const valueSetsDir = path.join(PROJECT_ROOT, 'fhir-profiles', 'valuesets');

/** Loads a copy of the bundled rules with these declarations (and optional other edits); problems as printed. */
function load(facts: unknown, edit: (rulesDir: string) => void = () => undefined): RuleSet | string[] {
  const dir = copyRules();
  try {
    const rulesDir = path.join(dir, 'rules');
    fs.writeFileSync(path.join(rulesDir, 'facts.json'), JSON.stringify({ facts }));
    edit(rulesDir);
    return loadRuleSet(rulesDir, valueSetsDir);
  } catch (error) {
    if (error instanceof RuleSetError) return error.problems.map(formatProblem);
    throw error;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

let ruleSet: RuleSet;
beforeAll(() => {
  const loaded = load(DECLARED);
  if (Array.isArray(loaded)) throw new Error(loaded.join('\n'));
  ruleSet = loaded;
});

const coded = (valueSet: string) => ({ coding: [ruleSet.terminology.firstCoding(valueSet) as never] });
const daysAgo = (days: number) => new Date(TEST_NOW.getTime() - days * 86_400_000).toISOString();
const ALL_AVAILABLE = Object.fromEntries(
  ['patient', 'conditions', 'observations', 'procedures', 'medications'].map((key) => [
    key,
    { available: true as const, source: 'prefetch' as const },
  ]),
);

function factsOf(resources: Resource[], status: RecordData['status'] = ALL_AVAILABLE): Record<string, Fact> {
  const of = <T extends Resource>(type: T['resourceType']) => resources.filter((r) => r.resourceType === type) as T[];
  const data: RecordData = {
    patient: { resourceType: 'Patient', id: 'p' },
    conditions: of<Condition>('Condition'),
    observations: of<Observation>('Observation'),
    procedures: of<Procedure>('Procedure'),
    medications: of<MedicationRequest>('MedicationRequest'),
    status,
  };
  const context = {
    parameters: ruleSet.parameters,
    valueSetLists: ruleSet.valueSetLists,
    hook: 'patient-view',
    orders: [],
  };
  return computeFacts(new PatientRecord(data, ruleSet.terminology, TEST_NOW), context, ruleSet.facts);
}

const condition = (id: string, changes: Partial<Condition> = {}): Condition => ({
  resourceType: 'Condition',
  id,
  subject: { reference: 'Patient/p' },
  code: coded('hypertension'),
  ...changes,
});
const RESOLVED = { coding: [{ code: 'resolved' }] };

describe('a declared Condition fact', () => {
  test('counts active conditions in any of its ValueSets, citing each once', () => {
    const facts = factsOf([condition('c1', { onsetDateTime: '2020-01-01' })]);
    expect(facts.hypertensionActive).toEqual({
      value: true,
      cites: [{ reference: 'Condition/c1', text: expect.stringContaining('since 2020-01-01') }],
    });
    expect(factsOf([condition('c2', { code: coded('heart-failure') })]).hypertensionActive?.value).toBe(true);
  });

  test('leaves resolved, abated, refuted and entered-in-error conditions out, unless history is asked for', () => {
    const past = [
      condition('resolved', { clinicalStatus: RESOLVED }),
      condition('abated', { abatementDateTime: daysAgo(30) }),
    ];
    const facts = factsOf(past);
    expect(facts.hypertensionActive).toEqual({ value: false, cites: [] });
    expect(facts.hypertensionEver?.value).toBe(true);
    expect(facts.hypertensionEver?.cites.map((c) => c.reference)).toEqual(['Condition/resolved', 'Condition/abated']);
    const wrong = factsOf([condition('refuted', { verificationStatus: { coding: [{ code: 'refuted' }] } })]);
    expect(wrong.hypertensionEver?.value).toBe(false);
  });

  test('within a window: an older onset is no, an undated one alone is not known, a dated one inside is yes', () => {
    expect(factsOf([condition('old', { onsetDateTime: daysAgo(400) })]).hypertensionRecent?.value).toBe(false);
    const undated = factsOf([condition('undated')]).hypertensionRecent;
    expect(undated).toMatchObject({
      value: null,
      missing: expect.stringContaining('with no onset or recorded date'),
      cites: [{ reference: 'Condition/undated' }],
    });
    const both = factsOf([condition('undated'), condition('new', { recordedDate: daysAgo(10) })]);
    expect(both.hypertensionRecent).toMatchObject({ value: true, cites: [{ reference: 'Condition/new' }] });
  });

  test('the window includes its last day: an onset exactly withinDays ago counts', () => {
    expect(factsOf([condition('edge', { onsetDateTime: daysAgo(365) })]).hypertensionRecent?.value).toBe(true);
    expect(factsOf([condition('past', { onsetDateTime: daysAgo(366) })]).hypertensionRecent?.value).toBe(false);
  });
});

describe('a declared MedicationRequest fact', () => {
  const request = (id: string, status: MedicationRequest['status']): MedicationRequest => ({
    resourceType: 'MedicationRequest',
    id,
    status,
    intent: 'order',
    subject: { reference: 'Patient/p' },
    medicationCodeableConcept: coded('opioid-medication'),
  });

  test('is yes for an active or on-hold prescription, no for a stopped one', () => {
    expect(factsOf([request('m1', 'on-hold')]).opioidPrescribed).toMatchObject({
      value: true,
      cites: [{ reference: 'MedicationRequest/m1' }],
    });
    expect(factsOf([request('m2', 'stopped')]).opioidPrescribed).toEqual({ value: false, cites: [] });
  });

  test('is not known without the medication list, or with a prescription whose medication was not sent', () => {
    const withoutList = factsOf([], { ...ALL_AVAILABLE, medications: { available: false, reason: 'timed out' } });
    expect(withoutList.opioidPrescribed).toMatchObject({ value: null, missing: expect.stringContaining('timed out') });
    const unresolved: MedicationRequest = {
      ...request('m3', 'active'),
      medicationCodeableConcept: undefined,
      medicationReference: { reference: 'Medication/elsewhere' },
    };
    expect(factsOf([unresolved]).opioidPrescribed?.value).toBeNull();
  });
});

describe('a declared Observation fact', () => {
  const bmi = (id: string, value: number, unit: string | undefined, days: number): Observation => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    code: coded('bmi'),
    effectiveDateTime: daysAgo(days),
    valueQuantity: { value, ...(unit ? { unit, code: unit } : {}) },
  });

  test('is the latest value in its unit, citing it', () => {
    const facts = factsOf([bmi('old', 28, 'kg/m2', 100), bmi('new', 31.5, 'kg/m2', 10)]);
    expect(facts.latestBmi).toEqual({
      value: 31.5,
      cites: [{ reference: 'Observation/new', text: expect.stringContaining('31.5 kg/m2') }],
    });
  });

  test('leaves out values in another unit or out of range, and says so; too old is not known', () => {
    expect(factsOf([bmi('lb', 200, 'lb/in2', 1), bmi('typo', 300, 'kg/m2', 2)]).latestBmi).toMatchObject({
      value: null,
      missing: 'none recorded (1 value(s) in another unit than kg/m2 and 1 out-of-range value(s) ignored)',
    });
    expect(factsOf([bmi('unitless', 30, undefined, 1)]).latestBmi?.value).toBeNull();
    expect(factsOf([bmi('stale', 30, 'kg/m2', 400)]).latestBmi).toMatchObject({
      value: null,
      missing: expect.stringContaining('older than 365 days'),
    });
  });
});

describe('a declared Procedure fact', () => {
  const surgery = (id: string, status: Procedure['status'], days?: number): Procedure => ({
    resourceType: 'Procedure',
    id,
    status,
    subject: { reference: 'Patient/p' },
    code: coded('spinal-surgery-procedure'),
    ...(days === undefined ? {} : { performedDateTime: daysAgo(days) }),
  });

  test('is yes for a completed procedure inside its window (a parameter), no outside or when not done', () => {
    expect(factsOf([surgery('s1', 'completed', 30)]).recentSpinalSurgery).toMatchObject({
      value: true,
      cites: [{ reference: 'Procedure/s1' }],
    });
    expect(factsOf([surgery('s2', 'completed', 400)]).recentSpinalSurgery?.value).toBe(false);
    expect(factsOf([surgery('s3', 'not-done', 30)]).recentSpinalSurgery?.value).toBe(false);
  });

  test('is not known without the procedure history or with an undated procedure only', () => {
    const without = factsOf([], { ...ALL_AVAILABLE, procedures: { available: false, reason: 'not allowed' } });
    expect(without.recentSpinalSurgery).toMatchObject({ value: null, missing: expect.stringContaining('not allowed') });
    const days = ruleSet.parameters.recentSpinalSurgeryDays;
    expect(factsOf([surgery('s4', 'completed')]).recentSpinalSurgery).toMatchObject({
      value: null,
      missing: `1 matching record(s) with no date performed: may be within the last ${days} days`,
    });
  });
});

test('a declared yes/no fact with nothing recorded reads "none recorded" on a card, whatever it reads from', () => {
  for (const id of ['hypertensionActive', 'opioidPrescribed', 'recentSpinalSurgery']) {
    expect(ruleSet.facts.get(id)).toMatchObject({ type: 'boolean', absentText: 'none recorded' });
  }
});

describe('loading declared facts: each mistake is one problem, where it is', () => {
  const latest = { label: 'x', from: 'Observation', valueSets: ['bmi'], withinDays: 30, unit: 'kg/m2' };

  test('the bundled rules with these declarations load, and their facts are in the rule set', () => {
    expect([...ruleSet.facts.keys()]).toEqual(expect.arrayContaining(Object.keys(DECLARED)));
    expect(ruleSet.facts.get('latestBmi')).toMatchObject({ type: 'number', unit: 'kg/m2', label: 'BMI (declared)' });
  });

  test.each([
    [
      'a built-in fact name',
      { bmi: latest },
      new RegExp(
        String.raw`^- rules\/facts\.json › facts\.bmi: is a built-in fact \("Latest ` +
          String.raw`body mass index"\); give the declared fact another name$`,
      ),
    ],
    [
      'a misspelt ValueSet',
      { x: { ...latest, valueSets: ['bmi', 'hypertensoin'] } },
      new RegExp(
        String.raw`^- rules\/facts\.json › facts\.x\.valueSets\[1\]: ValueSet "hypertensoin" ` +
          String.raw`does not exist in fhir-profiles\/valuesets\. Did you mean "hypertension"\?$`,
      ),
    ],
    [
      'a window parameter in weeks',
      { x: { ...latest, withinDays: { param: 'acuteMaxWeeks' } } },
      new RegExp(
        String.raw`^- rules\/facts\.json › facts\.x\.withinDays\.param: parameter ` +
          String.raw`"acuteMaxWeeks" is in weeks; withinDays needs one in days$`,
      ),
    ],
    [
      'a misspelt window parameter',
      { x: { ...latest, withinDays: { param: 'vitalsMaxAgeDay' } } },
      /parameter "vitalsMaxAgeDay" is not defined in rules\/parameters\.json\. Did you mean "vitalsMaxAgeDays"\?$/,
    ],
    ['an Observation without a unit', { x: { ...latest, unit: undefined } }, /facts\.x: "unit" is missing$/],
    [
      'an unknown kind of record',
      { x: { ...latest, from: 'Encounter' } },
      new RegExp(
        String.raw`^- rules\/facts\.json › facts\.x\.from: "Encounter" is unknown\. It must ` +
          String.raw`be one of: "Condition", "MedicationRequest", "Observation", "Procedure"$`,
      ),
    ],
  ])('%s', (_name, facts, message) => {
    const problems = load(facts);
    expect(problems).toEqual([expect.stringMatching(message)]);
  });

  test('a rule comparing a declared value with a threshold in another unit', () => {
    const problems = load({ latestGlucose: { ...latest, unit: 'mmol/L' } }, (rulesDir) => {
      const file = path.join(rulesDir, 'packs', 'contraindications.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"fact": "bmi"', '"fact": "latestGlucose"'));
    });
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          String.raw`› rule "[a-z-]+" › .*\.value\.param: parameter "(severeO|o)besityBmi" ` +
            String.raw`is in kg\/m2 but "latestGlucose" is in mmol\/L$`,
        ),
      ),
    ]);
  });

  test('rules and shared.json may name declared facts; an unknown name in shared.json is reported there, once', () => {
    const named = load(DECLARED, (rulesDir) => {
      const file = path.join(rulesDir, 'shared.json');
      const shared = JSON.parse(fs.readFileSync(file, 'utf8'));
      const [first] = Object.keys(shared.checkLists);
      shared.checkLists[first as string].facts.push('opioidPrescribed', 'opioidPrescibed');
      fs.writeFileSync(file, JSON.stringify(shared));
    });
    expect(named).toEqual([
      expect.stringMatching(
        new RegExp(
          String.raw`^- rules\/shared\.json › checkLists\.\w+\.facts\[\d+\]: ` +
            String.raw`"opioidPrescibed" is unknown\. Did you mean "opioidPrescribed"\?`,
        ),
      ),
    ]);
  });

  test('a facts.json that does not parse is the one problem, not every rule naming its facts', () => {
    const problems = load(DECLARED, (rulesDir) => {
      fs.writeFileSync(path.join(rulesDir, 'facts.json'), '{ "facts": { ');
      const file = path.join(rulesDir, 'packs', 'contraindications.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"fact": "bmi"', '"fact": "latestBmi"'));
    });
    expect(problems).toEqual([expect.stringMatching(/^- rules\/facts\.json: is not valid JSON/)]);
  });
});
