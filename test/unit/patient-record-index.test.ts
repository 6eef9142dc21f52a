import fc from 'fast-check';
import type {
  CodeableConcept,
  Coding,
  Condition,
  MedicationRequest,
  Observation,
  Procedure,
  Resource,
} from '@medplum/fhirtypes';
import type { DataStatus } from '../../src/cds/protocol/data-status';
import { isActiveCondition } from '../../src/clinical/status-rules';
import { PatientRecord, type RecordData } from '../../src/clinical/patient-record';
import { bundledRuleSet } from '../support/spine-service';

/**
 * PatientRecord indexes each kind of coded data once by every ValueSet its codes belong to. These properties check
 * it against the plain scan it replaced (every resource compared with the ValueSet through terminology.match), on
 * generated data that mixes codes of every ValueSet, their spelling variants, codes in no ValueSet and malformed
 * JSON: the same matches in the same order, and the same failures.
 */

const terminology = bundledRuleSet().terminology;
const NOW = new Date('2026-11-21T12:00:00Z');
const VALUESETS = [...terminology.valueSetIds(), 'no-such-valueset'];

const listedCodings: Coding[] = terminology.valueSetIds().flatMap((id) => terminology.codesOf(id));
const coding: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...listedCodings),
  fc.constantFrom(...listedCodings).map((c) => ({ ...c, code: ` ${c.code?.toLowerCase()} ` })),
  fc.constantFrom<unknown>(
    { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'M54.51' },
    { system: 'urn:oid:2.16.840.1.113883.6.90', code: 'm4806' },
    { system: 'http://snomed.info/sct/', code: '23056005' },
    { system: 'http://loinc.org', code: '8480-6' },
    { system: 'http://snomed.info/sct', code: '00000000' },
    { system: 'http://loinc.org' },
    { code: '8480-6' },
    null,
    5,
    'x',
    [],
    {},
  ),
);
const concept: fc.Arbitrary<unknown> = fc.oneof(
  fc.array(coding, { maxLength: 3 }).map((codings) => ({ coding: codings })),
  fc.array(coding, { maxLength: 2 }),
  fc.constantFrom<unknown>(undefined, null, 'text only', { coding: {} }, { coding: 'x' }, { text: 'no codings' }),
);
const status = <T extends string>(...values: T[]) => fc.constantFrom<T | undefined>(...values, undefined);
const day = fc
  .integer({ min: -4000, max: 30 })
  .map((offset) => new Date(NOW.getTime() + offset * 86_400_000).toISOString());

const conditions = fc.array(
  fc.record({
    code: concept,
    clinicalStatus: status('active', 'resolved', 'recurrence').map((code) =>
      code ? { coding: [{ code }] } : undefined,
    ),
    verificationStatus: status('confirmed', 'refuted', 'entered-in-error').map((code) =>
      code ? { coding: [{ code }] } : undefined,
    ),
    abatementDateTime: fc.option(day, { nil: undefined }),
    onsetDateTime: fc.option(day, { nil: undefined }),
  }),
  { maxLength: 12 },
);
const component = fc.oneof(
  fc.record({
    code: concept,
    valueQuantity: fc.option(fc.record({ value: fc.integer({ min: 0, max: 200 }), unit: fc.constant('mm[Hg]') }), {
      nil: undefined,
    }),
  }),
  fc.constantFrom<unknown>(null, 7, 'x'),
);
const observations = fc.array(
  fc.record({
    code: concept,
    status: status('final', 'preliminary', 'cancelled', 'entered-in-error'),
    effectiveDateTime: fc.option(day, { nil: undefined }),
    component: fc.oneof(
      fc.constant(undefined),
      fc.array(component, { maxLength: 3 }),
      fc.constantFrom<unknown>({}, 'x', null),
    ),
  }),
  { maxLength: 12 },
);
const procedures = fc.array(
  fc.record({
    code: concept,
    status: status('completed', 'in-progress', 'not-done'),
    performedDateTime: fc.option(day, { nil: undefined }),
  }),
  { maxLength: 6 },
);
const medications = fc.array(
  fc.record({ medicationCodeableConcept: concept, status: status('active', 'on-hold', 'stopped') }),
  { maxLength: 6 },
);

const AVAILABLE: DataStatus = { available: true, source: 'prefetch' };

function recordData(generated: {
  conditions: unknown[];
  observations: unknown[];
  procedures: unknown[];
  medications: unknown[];
}): RecordData {
  const resources = <T extends Resource>(type: string, items: unknown[]) =>
    items.map((item, i) => ({ resourceType: type, id: `${type}-${i}`, ...(item as object) }) as T);
  return {
    conditions: resources<Condition>('Condition', generated.conditions),
    observations: resources<Observation>('Observation', generated.observations),
    procedures: resources<Procedure>('Procedure', generated.procedures),
    medications: resources<MedicationRequest>('MedicationRequest', generated.medications),
    status: {
      patient: AVAILABLE,
      conditions: AVAILABLE,
      observations: AVAILABLE,
      procedures: AVAILABLE,
      medications: AVAILABLE,
    },
  };
}

// The scan PatientRecord used before it indexed: every kept resource compared with the ValueSet, in data order.
const scan = <T extends Resource>(resources: T[], conceptOf: (resource: T) => unknown, valueSet: string) =>
  resources.flatMap((resource) => {
    const found = terminology.match(conceptOf(resource) as CodeableConcept, valueSet);
    return found ? [{ resource, coding: found }] : [];
  });
const byTime =
  <T extends { resource: Resource }>(timeOf: (resource: never) => string | undefined) =>
  (a: T, b: T) =>
    (Date.parse(timeOf(b.resource as never) ?? '') || 0) - (Date.parse(timeOf(a.resource as never) ?? '') || 0);

function reference(data: RecordData, valueSet: string) {
  const usable = data.observations.filter((o) => ['final', 'amended', 'corrected', 'preliminary'].includes(o.status));
  return {
    activeConditions: () =>
      scan(
        data.conditions.filter((c) => isActiveCondition(c, NOW)),
        (c) => c.code,
        valueSet,
      ),
    anyConditions: () =>
      scan(
        data.conditions.filter(
          (c) => !['entered-in-error', 'refuted'].includes(c.verificationStatus?.coding?.[0]?.code ?? ''),
        ),
        (c) => c.code,
        valueSet,
      ),
    observations: () => scan(usable, (o) => o.code, valueSet).sort(byTime((o: Observation) => o.effectiveDateTime)),
    observationComponents: () =>
      usable.flatMap((observation) =>
        (observation.component ?? []).flatMap((part) => {
          const found = terminology.match(part.code, valueSet);
          const value = part.valueQuantity?.value;
          return found && typeof value === 'number'
            ? [
                {
                  resource: observation,
                  coding: found,
                  quantity: value,
                  unit: part.valueQuantity?.unit ?? part.valueQuantity?.code,
                },
              ]
            : [];
        }),
      ),
    procedures: () =>
      scan(
        data.procedures.filter((p) => p.status === 'completed' || p.status === 'in-progress'),
        (p) => p.code,
        valueSet,
      ).sort(byTime((p: Procedure) => p.performedDateTime)),
    activeMedications: () =>
      scan(
        data.medications.filter((m) => m.status === 'active' || m.status === 'on-hold'),
        (m) => m.medicationCodeableConcept,
        valueSet,
      ),
  };
}

/** The answer, or the kind of failure; for the unknown ValueSet only that it failed (data can be wrong as well). */
function outcome(compute: () => unknown, valueSet: string): { value?: unknown; error?: string } {
  try {
    return { value: compute() };
  } catch (error) {
    return { error: valueSet === 'no-such-valueset' ? 'failed' : (error as Error).name };
  }
}

test('the indexed record answers every ValueSet question as the per-ValueSet scan did', () => {
  fc.assert(
    fc.property(fc.record({ conditions, observations, procedures, medications }), (generated) => {
      const data = recordData(generated);
      const record = new PatientRecord(data, terminology, NOW);
      for (const valueSet of VALUESETS) {
        const expected = reference(data, valueSet);
        for (const question of Object.keys(expected) as Array<keyof typeof expected>) {
          const actual = outcome(() => record[question](valueSet), valueSet);
          expect({ question, valueSet, ...actual }).toEqual({
            question,
            valueSet,
            ...outcome(expected[question], valueSet),
          });
        }
      }
    }),
    { numRuns: 150 },
  );
});
