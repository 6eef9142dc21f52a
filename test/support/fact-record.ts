import fs from 'node:fs';
import path from 'node:path';
import type { Coding, Condition, MedicationRequest, Observation, Procedure } from '@medplum/fhirtypes';
import type { Fact, Facts } from '../../src/clinical/computed-fact';
import { FACT_DEFINITIONS, type FactContext, type FactDefinition } from '../../src/clinical/facts';
import { valueSetListsOf, type SharedFile } from '../../src/rules/shared-definitions';
import { PatientRecord, type RecordData } from '../../src/clinical/patient-record';
import { loadTerminology } from '../../src/fhir/terminology';
import { parameterValues } from '../../src/rules/rule-pack';

/**
 * Small hand-built FHIR records for the unit tests of the facts (src/clinical/facts): codes from the bundled
 * ValueSets, thresholds from rules/parameters.json, a fixed "now". Only the ValueSets and parameters are loaded, not
 * the rule set or the app: mutation testing starts these tests once per mutant.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const readRulesFile = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(ROOT, 'rules', name), 'utf8'));
export const ruleSet = {
  terminology: loadTerminology(path.join(ROOT, 'fhir-profiles', 'valuesets')),
  parameters: parameterValues(readRulesFile('parameters.json') as Parameters<typeof parameterValues>[0]),
  valueSetLists: valueSetListsOf(readRulesFile('shared.json') as SharedFile),
};
export const NOW = new Date('2026-11-21T12:00:00Z');
export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

export const parameter = (name: string): number => ruleSet.parameters[name] as number;

export const factContext = (extra: Partial<FactContext> = {}): FactContext => ({
  parameters: ruleSet.parameters,
  valueSetLists: ruleSet.valueSetLists,
  hook: 'patient-view',
  orders: [],
  ...extra,
});

/** A code of the ValueSet: its first listed code, else the root of its first ICD-10-CM family. */
export function codeIn(valueSet: string): Coding {
  const listed = ruleSet.terminology.codesOf(valueSet)[0];
  if (listed) return listed;
  const include = ruleSet.terminology.get(valueSet)?.compose?.include?.find((candidate) => candidate.filter);
  const family = include?.filter?.[0]?.value;
  if (!family) throw new Error(`ValueSet ${valueSet} has no code`);
  return { system: include?.system, code: family };
}

export const daysAgo = (days: number): string => new Date(NOW.getTime() - days * DAY_MS).toISOString();
export const weeksAgo = (weeks: number): string => daysAgo(weeks * 7);
/** The calendar date (YYYY-MM-DD) of a time that many days ago, as citations and notes write it. */
export const dateDaysAgo = (days: number): string => daysAgo(days).slice(0, 10);

let lastId = 0;
const nextId = (prefix: string) => `${prefix}-${(lastId += 1)}`;

export function condition(valueSet: string, extra: Partial<Condition> = {}): Condition {
  return {
    resourceType: 'Condition',
    id: nextId(valueSet),
    subject: { reference: 'Patient/p' },
    clinicalStatus: { coding: [{ code: 'active' }] },
    code: { coding: [codeIn(valueSet)] },
    ...extra,
  };
}

export function observation(valueSet: string, extra: Partial<Observation> = {}): Observation {
  return {
    resourceType: 'Observation',
    id: nextId(valueSet),
    status: 'final',
    subject: { reference: 'Patient/p' },
    code: { coding: [codeIn(valueSet)] },
    ...extra,
  };
}

export function procedure(valueSet: string, extra: Partial<Procedure> = {}): Procedure {
  return {
    resourceType: 'Procedure',
    id: nextId(valueSet),
    status: 'completed',
    subject: { reference: 'Patient/p' },
    code: { coding: [codeIn(valueSet)] },
    ...extra,
  };
}

export function medicationRequest(valueSet: string, extra: Partial<MedicationRequest> = {}): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id: nextId(valueSet),
    status: 'active',
    intent: 'order',
    subject: { reference: 'Patient/p' },
    medicationCodeableConcept: { coding: [codeIn(valueSet)] },
    ...extra,
  };
}

const EVERY_KEY = ['patient', 'conditions', 'observations', 'procedures', 'medications'];

/** A record with every kind of data available unless `status` says otherwise. */
export function patientRecord(data: Partial<RecordData>, now: Date = NOW): PatientRecord {
  const available = Object.fromEntries(EVERY_KEY.map((key) => [key, { available: true, source: 'prefetch' } as const]));
  return new PatientRecord(
    {
      conditions: [],
      observations: [],
      procedures: [],
      medications: [],
      ...data,
      status: { ...available, ...data.status },
    },
    ruleSet.terminology,
    now,
  );
}

export const unavailable = (reason: string) => ({ available: false, reason }) as const;

export function factDefinition(id: string): FactDefinition {
  const definition = FACT_DEFINITIONS.get(id);
  if (!definition) throw new Error(`no fact ${id}`);
  return definition;
}

/** The fact as the rules would see it for this record. */
export const factOf = (id: string, record: PatientRecord, context = factContext(), computed?: Facts): Fact =>
  factDefinition(id).compute(record, context, computed);

export const references = (fact: Fact): Array<string | undefined> => fact.cites.map((cite) => cite.reference);

/** How a citation names a coding: `display [system code]`. */
export function codingText(coding: Coding): string {
  const systems: Record<string, string> = {
    'http://snomed.info/sct': 'SNOMED CT',
    'http://hl7.org/fhir/sid/icd-10-cm': 'ICD-10-CM',
    'http://loinc.org': 'LOINC',
    'http://www.nlm.nih.gov/research/umls/rxnorm': 'RxNorm',
  };
  return `${coding.display} [${systems[coding.system ?? ''] ?? coding.system} ${coding.code}]`;
}

/**
 * Tests of boolean facts built by activeCondition (definition.ts): per fact, an active condition in each of its
 * ValueSets makes it true citing that condition; a resolved one, or none, is a known "no" that reads "none recorded".
 */
export function describeCodedProblemFacts(valueSetsByFact: Record<string, string[]>): void {
  describe.each(Object.entries(valueSetsByFact))('%s', (id, valueSets) => {
    test.each(valueSets)('an active condition in %s counts, cited', (valueSet) => {
      const coded = condition(valueSet);
      const fact = factOf(id, patientRecord({ conditions: [coded] }));
      expect(fact.value).toBe(true);
      expect(references(fact)).toEqual([`Condition/${coded.id}`]);
    });

    test('a resolved one does not; none is a known "no" that reads "none recorded"', () => {
      const ended = condition(valueSets[0], { clinicalStatus: { coding: [{ code: 'resolved' }] } });
      expect(factOf(id, patientRecord({ conditions: [ended] }))).toEqual({ value: false, cites: [] });
      expect(factDefinition(id)).toMatchObject({ type: 'boolean', absentText: 'none recorded' });
    });
  });
}
