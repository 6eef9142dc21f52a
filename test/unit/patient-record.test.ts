import type { Coding, Condition, Medication, MedicationRequest, Observation, Procedure } from '@medplum/fhirtypes';
import { effectiveTime, onsetTime, procedureTime } from '../../src/clinical/fhir-time';
import { isActiveCondition } from '../../src/clinical/status-rules';
import { medicationConcept } from '../../src/clinical/medication-concept';
import { PatientRecord, type RecordData } from '../../src/clinical/patient-record';
import { UnknownValueSetError } from '../../src/fhir/terminology';
import { bundledRuleSet } from '../support/spine-service';

/** What the patient record counts as active, current or prescribed: every fact reads the data through it. */

const terminology = bundledRuleSet().terminology;
const NOW = new Date('2026-11-21T12:00:00Z');
const PAST = '2026-01-01';
const FUTURE = '2027-06-01';

const codeIn = (valueSet: string): Coding => {
  const coding = terminology.codesOf(valueSet)[0];
  if (!coding) throw new Error(`ValueSet ${valueSet} has no code`);
  return coding;
};
const condition = (extra: Partial<Condition> = {}): Condition => ({
  resourceType: 'Condition',
  subject: { reference: 'Patient/p' },
  code: { coding: [codeIn('hypertension')] },
  ...extra,
});
const status = (code: string) => ({ coding: [{ code }] });
const record = (data: Partial<RecordData>) =>
  new PatientRecord(
    { conditions: [], observations: [], procedures: [], medications: [], status: {}, ...data },
    terminology,
    NOW,
  );

describe('active conditions', () => {
  test.each([
    ['no status and no abatement', {}, true],
    ['active', { clinicalStatus: status('active') }, true],
    ['recurrence', { clinicalStatus: status('recurrence') }, true],
    ['relapse', { clinicalStatus: status('relapse') }, true],
    ['resolved', { clinicalStatus: status('resolved') }, false],
    ['inactive', { clinicalStatus: status('inactive') }, false],
    ['remission', { clinicalStatus: status('remission') }, false],
    ['unconfirmed', { verificationStatus: status('unconfirmed') }, true],
    ['refuted', { verificationStatus: status('refuted') }, false],
    ['entered in error', { verificationStatus: status('entered-in-error') }, false],
    ['abated on a past date', { abatementDateTime: PAST }, false],
    ['abating on a future date', { abatementDateTime: FUTURE }, true],
    ['abated at this very moment', { abatementDateTime: NOW.toISOString() }, false],
    ['a status without codings, read as no status', { clinicalStatus: { coding: [] } }, true],
    ['abatement date that cannot be read', { abatementDateTime: 'soon' }, true],
    ['abated in a past period', { abatementPeriod: { start: '2025-12-01', end: PAST } }, false],
    ['abatement period still running', { abatementPeriod: { start: PAST, end: FUTURE } }, true],
    ['abatement period with only a past start', { abatementPeriod: { start: PAST } }, false],
    ['abatement period with only a future start', { abatementPeriod: { start: FUTURE } }, true],
    ['abated, said in words', { abatementString: 'in childhood' }, false],
    ['abated at an age', { abatementAge: { value: 40, unit: 'a' } }, false],
    ['abated within an age range', { abatementRange: { low: { value: 30 }, high: { value: 35 } } }, false],
    ['active status but abated in words', { clinicalStatus: status('active'), abatementString: 'resolved' }, false],
  ] as Array<[string, Partial<Condition>, boolean]>)('%s: active %s', (_name, extra, active) => {
    expect(isActiveCondition(condition(extra), NOW)).toBe(active);
    expect(record({ conditions: [condition(extra)] }).activeConditions('hypertension')).toHaveLength(active ? 1 : 0);
  });

  test('history keeps resolved and abated conditions, never refuted or erroneous ones', () => {
    const kept = [condition({ clinicalStatus: status('resolved') }), condition({ abatementString: 'gone' })];
    const dropped = [
      condition({ verificationStatus: status('refuted') }),
      condition({ verificationStatus: status('entered-in-error') }),
    ];
    const history = record({ conditions: [...kept, ...dropped] }).anyConditions('hypertension');
    expect(history.map((match) => match.resource)).toEqual(kept);
  });

  test('a condition coded outside the ValueSet does not match it', () => {
    expect(record({ conditions: [condition()] }).activeConditions('low-back-pain')).toEqual([]);
  });

  test('onset is the onset date, else the period start, else the recorded date', () => {
    expect(onsetTime(condition({ onsetDateTime: PAST, recordedDate: FUTURE }))).toBe(Date.parse(PAST));
    expect(onsetTime(condition({ onsetPeriod: { start: PAST, end: FUTURE }, recordedDate: FUTURE }))).toBe(
      Date.parse(PAST),
    );
    expect(onsetTime(condition({ recordedDate: PAST }))).toBe(Date.parse(PAST));
    expect(onsetTime(condition({ onsetString: 'long ago' }))).toBeUndefined();
  });
});

describe('prescriptions', () => {
  const medication = (extra: Partial<MedicationRequest>): MedicationRequest => ({
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    subject: { reference: 'Patient/p' },
    ...extra,
  });
  const nsaid = { coding: [codeIn('nsaid-medication')] };
  const contained = (id: string, resourceType = 'Medication') => ({ resourceType, id, code: nsaid }) as Medication;

  test('a contained Medication named by #id is what the request prescribes', () => {
    const request = medication({ medicationReference: { reference: '#med' }, contained: [contained('med')] });
    expect(medicationConcept(request)).toEqual(nsaid);
    expect(record({ medications: [request] }).activeMedications('nsaid-medication')).toHaveLength(1);
    expect(record({ medications: [request] }).unresolvedMedications()).toEqual([]);
  });

  test('the contained resource must be a Medication with that id', () => {
    const otherId = medication({ medicationReference: { reference: '#med' }, contained: [contained('other')] });
    const notMedication = medication({
      medicationReference: { reference: '#med' },
      contained: [contained('med', 'Substance')],
    });
    const notContained = medication({
      medicationReference: { reference: 'Medication/med' },
      contained: [contained('med')],
    });
    // Only a reference starting with # names a contained resource, whatever follows its first character.
    const noHash = medication({ medicationReference: { reference: 'xmed' }, contained: [contained('med')] });
    for (const request of [otherId, notMedication, notContained, noHash]) {
      expect(medicationConcept(request)).toBeUndefined();
    }
  });

  test('active or on-hold requests whose medication cannot be read are unresolved; others are not', () => {
    const external = medication({ id: 'a', medicationReference: { reference: 'Medication/123' } });
    const onHold = medication({ id: 'b', status: 'on-hold', medicationReference: { reference: 'Medication/123' } });
    const stopped = medication({ id: 'c', status: 'stopped', medicationReference: { reference: 'Medication/123' } });
    const coded = medication({ id: 'd', medicationCodeableConcept: nsaid });
    const unresolved = record({ medications: [external, onHold, stopped, coded] }).unresolvedMedications();
    expect(unresolved).toEqual([external, onHold]);
  });

  test('only active and on-hold requests count as current', () => {
    const requests = ['active', 'on-hold', 'stopped', 'completed', 'draft'].map((code) =>
      medication({ id: code, status: code as MedicationRequest['status'], medicationCodeableConcept: nsaid }),
    );
    const current = record({ medications: requests }).activeMedications('nsaid-medication');
    expect(current.map((match) => match.resource.id)).toEqual(['active', 'on-hold']);
  });
});

describe('observations and procedures', () => {
  const observation = (id: string, extra: Partial<Observation>): Observation => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [codeIn('pain-score')] },
    ...extra,
  });

  test('usable observations (final, amended, corrected, preliminary), newest first, undated last', () => {
    const data = [
      observation('old', { effectiveDateTime: '2026-01-01' }),
      observation('undated', {}),
      observation('new', { effectiveDateTime: '2026-11-01' }),
      observation('amended', { status: 'amended', effectiveDateTime: '2026-06-01' }),
      observation('corrected', { status: 'corrected', effectiveDateTime: '2026-05-01' }),
      observation('preliminary', { status: 'preliminary', effectiveDateTime: '2026-04-01' }),
      observation('cancelled', { status: 'cancelled', effectiveDateTime: '2026-11-02' }),
      observation('registered', { status: 'registered', effectiveDateTime: '2026-11-02' }),
    ];
    const found = record({ observations: data }).observations('pain-score');
    expect(found.map((match) => match.resource.id)).toEqual([
      'new',
      'amended',
      'corrected',
      'preliminary',
      'old',
      'undated',
    ]);
  });

  test('when an observation was made: its date, period end, period start, instant, else issued', () => {
    expect(effectiveTime(observation('a', { effectiveDateTime: PAST, issued: FUTURE }))).toBe(Date.parse(PAST));
    expect(effectiveTime(observation('b', { effectivePeriod: { start: '2025-01-01', end: PAST } }))).toBe(
      Date.parse(PAST),
    );
    expect(effectiveTime(observation('c', { effectivePeriod: { start: PAST }, issued: FUTURE }))).toBe(
      Date.parse(PAST),
    );
    expect(effectiveTime(observation('d', { effectiveInstant: PAST, issued: FUTURE }))).toBe(Date.parse(PAST));
    expect(effectiveTime(observation('e', { issued: PAST }))).toBe(Date.parse(PAST));
    expect(effectiveTime(observation('f', {}))).toBeUndefined();
  });

  test('components are matched only inside observations, with their value and unit', () => {
    const panel = observation('bp', {
      code: { coding: [codeIn('blood-pressure-panel')] },
      component: [
        { code: { coding: [codeIn('systolic-blood-pressure')] }, valueQuantity: { value: 150, code: 'mm[Hg]' } },
        { code: { coding: [codeIn('diastolic-blood-pressure')] }, valueQuantity: { value: 95, unit: 'mmHg' } },
        { code: { coding: [codeIn('systolic-blood-pressure')] }, valueString: 'high' },
      ],
    });
    const patient = record({
      observations: [panel, observation('x', { status: 'cancelled', component: panel.component })],
    });
    expect(patient.observationComponents('systolic-blood-pressure')).toEqual([
      expect.objectContaining({ resource: panel, quantity: 150, unit: 'mm[Hg]' }),
    ]);
    expect(patient.observationComponents('diastolic-blood-pressure')).toEqual([
      expect.objectContaining({ quantity: 95, unit: 'mmHg' }),
    ]);
  });

  test('a component list that is not a list makes the question fail, not answer "none"', () => {
    const broken = observation('broken', { component: 'x' as unknown as Observation['component'] });
    expect(() => record({ observations: [broken] }).observationComponents('systolic-blood-pressure')).toThrow(
      'Observation.component is not a list',
    );
  });

  test('a component keeps its UCUM code beside its display unit, and the code stands in for a missing display', () => {
    const panel = observation('bp', {
      code: { coding: [codeIn('blood-pressure-panel')] },
      component: [
        {
          code: { coding: [codeIn('systolic-blood-pressure')] },
          valueQuantity: { value: 150, unit: 'millimetre of mercury', code: 'mm[Hg]' },
        },
        { code: { coding: [codeIn('diastolic-blood-pressure')] }, valueQuantity: { value: 95 } },
      ],
    });
    const patient = record({ observations: [panel] });
    expect(patient.observationComponents('systolic-blood-pressure')).toEqual([
      expect.objectContaining({ quantity: 150, unit: 'millimetre of mercury', code: 'mm[Hg]' }),
    ]);
    expect(patient.observationComponents('diastolic-blood-pressure')).toEqual([
      expect.objectContaining({ quantity: 95, unit: undefined, code: undefined }),
    ]);
  });

  test('an unreadable component list fails only the questions about observations that count', () => {
    const broken = observation('broken', {
      status: 'cancelled',
      component: 'x' as unknown as Observation['component'],
    });
    expect(record({ observations: [broken] }).observationComponents('systolic-blood-pressure')).toEqual([]);
  });

  test('a component question about an unknown ValueSet is an error only when some observation has components', () => {
    const plain = observation('plain', { valueQuantity: { value: 3 } });
    expect(record({ observations: [plain] }).observationComponents('no-such-valueset')).toEqual([]);
    const panel = observation('panel', {
      component: [{ code: { coding: [codeIn('systolic-blood-pressure')] }, valueQuantity: { value: 120 } }],
    });
    expect(() => record({ observations: [panel] }).observationComponents('no-such-valueset')).toThrow(
      UnknownValueSetError,
    );
  });

  test('a resource coded twice in one ValueSet is one match, by its first coding in that ValueSet', () => {
    const [first, second] = terminology.codesOf('hypertension');
    const twice = condition({ code: { coding: [first, second] } });
    const matches = record({ conditions: [twice] }).activeConditions('hypertension');
    expect(matches).toEqual([{ resource: twice, coding: first }]);
  });

  test('completed or in-progress procedures, newest first by date, period end or period start', () => {
    const procedure = (id: string, extra: Partial<Procedure>): Procedure => ({
      resourceType: 'Procedure',
      id,
      status: 'completed',
      subject: { reference: 'Patient/p' },
      code: { coding: [codeIn('physiotherapy-referral')] },
      ...extra,
    });
    const data = [
      procedure('date', { performedDateTime: '2026-02-01' }),
      procedure('end', { status: 'in-progress', performedPeriod: { start: '2025-01-01', end: '2026-03-01' } }),
      procedure('start', { performedPeriod: { start: '2026-04-01' } }),
      procedure('planned', { status: 'preparation', performedDateTime: '2026-05-01' }),
      procedure('stopped', { status: 'stopped', performedDateTime: '2026-05-01' }),
    ];
    expect(
      record({ procedures: data })
        .procedures('physiotherapy-referral')
        .map((m) => m.resource.id),
    ).toEqual(['start', 'end', 'date']);
    expect(procedureTime(data[1])).toBe(Date.parse('2026-03-01'));
  });

  test('an unknown ValueSet is an error once there is data to compare with it', () => {
    expect(() => record({ conditions: [condition()] }).activeConditions('no-such-valueset')).toThrow(
      UnknownValueSetError,
    );
    expect(record({}).activeConditions('no-such-valueset')).toEqual([]);
  });
});

describe('memoised answers', () => {
  test('each question is worked out once per record: asking again gives the same answer object', () => {
    const patient = record({ conditions: [condition(), condition({ clinicalStatus: status('resolved') })] });
    const active = patient.activeConditions('hypertension');
    expect(patient.activeConditions('hypertension')).toBe(active);
    expect(patient.anyConditions('hypertension')).toHaveLength(2);
    expect(patient.activeConditions('hypertension')).toBe(active);
    expect(active).toHaveLength(1);
  });
});

describe('data status', () => {
  const patient = record({
    status: {
      conditions: { available: true, source: 'prefetch' },
      observations: { available: false, reason: 'fhirServer timed out' },
    },
  });

  test('available keys, and why the others are not', () => {
    expect(patient.isAvailable('conditions')).toBe(true);
    expect(patient.isAvailable('observations')).toBe(false);
    expect(patient.isAvailable('procedures')).toBe(false);
    expect(patient.unavailableReason('conditions')).toBeUndefined();
    expect(patient.unavailableReason('observations')).toBe('fhirServer timed out');
    expect(patient.unavailableReason('procedures')).toBe('procedures were not requested');
  });

  test('days since a time are whole days, rounded down', () => {
    expect(patient.daysSince(NOW.getTime() - 2.9 * 86_400_000)).toBe(2);
  });
});
