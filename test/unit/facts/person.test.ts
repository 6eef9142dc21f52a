import type { Observation, Patient } from '@medplum/fhirtypes';
import type { RecordData } from '../../../src/clinical/patient-record';
import {
  codeIn,
  codingText,
  condition,
  dateDaysAgo,
  daysAgo,
  factDefinition,
  factOf,
  NOW,
  observation,
  parameter,
  patientRecord,
  references,
  unavailable,
} from '../../support/fact-record';

/** The facts about the person (src/clinical/facts/person.ts): age, sex, pregnancy and death, citing the record. */

const patient = (extra: Partial<Patient> = {}): Patient => ({ resourceType: 'Patient', id: 'p', ...extra });
const person = (id: string, data: Partial<RecordData>) => factOf(id, patientRecord(data));
/** A birth date `years` years before NOW, shifted by `days` (positive: later, so the birthday is still to come). */
const bornYearsAgo = (years: number, days = 0) => {
  const date = new Date(NOW);
  date.setUTCFullYear(date.getUTCFullYear() - years);
  return new Date(date.getTime() + days * 86_400_000).toISOString().slice(0, 10);
};

describe('age', () => {
  test('whole years, counting the birthday itself; cites the birth date on the Patient', () => {
    expect(person('age', { patient: patient({ birthDate: bornYearsAgo(40) }) })).toEqual({
      value: 40,
      cites: [{ reference: 'Patient/p', text: `born ${bornYearsAgo(40)}` }],
    });
    expect(person('age', { patient: patient({ birthDate: bornYearsAgo(40, 1) }) }).value).toBe(39);
    expect(person('age', { patient: patient({ birthDate: bornYearsAgo(40, -1) }) }).value).toBe(40);
  });

  test('the birthday month decides before the day', () => {
    // NOW is 21 November: born 30 October has had the birthday, born 1 December has not.
    const year = NOW.getUTCFullYear() - 30;
    expect(person('age', { patient: patient({ birthDate: `${year}-10-30` }) }).value).toBe(30);
    expect(person('age', { patient: patient({ birthDate: `${year}-12-01` }) }).value).toBe(29);
    expect(person('age', { patient: patient({ birthDate: `${year}-11-22` }) }).value).toBe(29);
  });

  test('a Patient without id is cited by text only; no birth date is unknown', () => {
    expect(person('age', { patient: { resourceType: 'Patient', birthDate: bornYearsAgo(5) } }).cites).toEqual([
      { text: `born ${bornYearsAgo(5)}` },
    ]);
    expect(person('age', { patient: patient() })).toEqual({
      value: null,
      cites: [],
      missing: 'birth date not recorded',
    });
    expect(person('age', {})).toEqual({ value: null, cites: [], missing: 'birth date not recorded' });
  });
});

describe('sex', () => {
  test('the administrative gender, cited; missing is unknown', () => {
    expect(person('sex', { patient: patient({ gender: 'female' }) })).toEqual({
      value: 'female',
      cites: [{ reference: 'Patient/p', text: 'administrative gender female' }],
    });
    expect(person('sex', { patient: patient() })).toEqual({ value: null, cites: [], missing: 'gender not recorded' });
  });
});

describe('deceased', () => {
  test('a date of death or deceased true; otherwise no', () => {
    expect(person('deceased', { patient: patient({ deceasedDateTime: '2026-01-02' }) })).toEqual({
      value: true,
      cites: [{ reference: 'Patient/p', text: 'deceased 2026-01-02' }],
    });
    expect(person('deceased', { patient: patient({ deceasedBoolean: true }) })).toEqual({
      value: true,
      cites: [{ reference: 'Patient/p', text: 'recorded as deceased' }],
    });
    expect(person('deceased', { patient: patient({ deceasedBoolean: false }) })).toEqual({ value: false, cites: [] });
    expect(person('deceased', {})).toEqual({ value: false, cites: [] });
  });
});

describe('pregnancy', () => {
  const POSITIVE_MAX = parameter('pregnancyPositiveMaxAgeDays');
  const NEGATIVE_MAX = parameter('pregnancyNegativeMaxAgeDays');
  const MIN_AGE = parameter('pregnancyPossibleMinAge');
  const MAX_AGE = parameter('pregnancyPossibleMaxAge');
  const woman = (age = 30) => patient({ gender: 'female', birthDate: bornYearsAgo(age) });
  const result = (days: number | undefined, value: Partial<Observation>, valueSet = 'pregnancy-status') =>
    observation(valueSet, { ...(days === undefined ? {} : { effectiveDateTime: daysAgo(days) }), ...value });
  const coded = (code: string) => ({ valueCodeableConcept: { coding: [{ code }] } });
  const pregnant = (observations: Observation[], who = woman(), extra: Partial<RecordData> = {}) =>
    person('pregnant', { patient: who, observations, ...extra });

  test('the prefetch asks for pregnancy status and pregnancy test Observations', () => {
    expect(factDefinition('pregnant').observationValueSets).toEqual(['pregnancy-status', 'pregnancy-test']);
  });

  test('an active pregnancy condition, cited', () => {
    const pregnancy = condition('pregnancy');
    const fact = person('pregnant', { patient: woman(), conditions: [pregnancy] });
    expect(fact.value).toBe(true);
    expect(references(fact)).toEqual([`Condition/${pregnancy.id}`]);
    const ended = condition('pregnancy', { clinicalStatus: { coding: [{ code: 'resolved' }] } });
    expect(person('pregnant', { patient: woman(), conditions: [ended] }).value).toBeNull();
  });

  test.each([
    ['LOINC answer positive', coded('LA15173-0'), true],
    ['SNOMED pregnant', coded('77386006'), true],
    ['SNOMED positive', coded('10828004'), true],
    ['LOINC answer negative', coded('LA26683-5'), false],
    ['SNOMED not pregnant', coded('60001007'), false],
    ['SNOMED negative', coded('260385009'), false],
    ['text "Positive "', { valueString: ' Positive ' }, true],
    ['text "pregnant"', { valueString: 'pregnant' }, true],
    ['concept text "Negative"', { valueCodeableConcept: { text: 'Negative' } }, false],
    ['text "not pregnant"', { valueString: 'Not pregnant' }, false],
  ])('a recent result read as %s', (_name, value, expected) => {
    const fact = pregnant([result(1, value)]);
    expect(fact.value).toBe(expected);
    expect(fact.cites[0].text).toBe(
      `${codingText(codeIn('pregnancy-status'))}: ${expected ? 'pregnant' : 'not pregnant'} on ${dateDaysAgo(1)}`,
    );
  });

  test('a result that cannot be read, or is undated, is no result', () => {
    const fact = pregnant([result(1, { valueString: 'see notes' }), result(undefined, coded('LA15173-0'))]);
    expect(fact).toEqual({
      value: null,
      cites: [],
      missing: 'no pregnancy condition, status or test recorded',
    });
  });

  test('the newest result decides, status or hCG test alike', () => {
    const test = (days: number, code: string) => result(days, coded(code), 'pregnancy-test');
    expect(pregnant([result(3, coded('LA15173-0')), test(1, '260385009')]).value).toBe(false);
    expect(pregnant([test(1, 'LA15173-0'), result(3, coded('260385009'))]).value).toBe(true);
  });

  test('a positive result counts up to pregnancyPositiveMaxAgeDays, a negative one up to its own maximum', () => {
    expect(pregnant([result(POSITIVE_MAX, coded('LA15173-0'))]).value).toBe(true);
    expect(pregnant([result(POSITIVE_MAX + 1, coded('LA15173-0'))])).toMatchObject({
      value: null,
      missing: `the latest pregnancy result is ${POSITIVE_MAX + 1} days old, older than ${POSITIVE_MAX} days`,
    });
    expect(pregnant([result(NEGATIVE_MAX, coded('LA26683-5'))]).value).toBe(false);
    const stale = pregnant([result(NEGATIVE_MAX + 1, coded('LA26683-5'))]);
    expect(stale.value).toBeNull();
    expect(stale.missing).toBe(
      `the latest pregnancy result is ${NEGATIVE_MAX + 1} days old, older than ${NEGATIVE_MAX} days`,
    );
    expect(stale.cites).toHaveLength(1);
  });

  test('without observations available no result is read', () => {
    const fact = pregnant([result(1, coded('LA15173-0'))], woman(), {
      status: { observations: unavailable('timed out') },
    });
    expect(fact.missing).toBe('no pregnancy condition, status or test recorded');
  });

  test('without a current result: male no, a female outside the possible ages no, otherwise unknown', () => {
    expect(pregnant([], patient({ gender: 'male' }))).toEqual({
      value: false,
      cites: [{ reference: 'Patient/p', text: 'administrative gender male' }],
    });
    const ages = `(${MIN_AGE}-${MAX_AGE})`;
    expect(pregnant([], woman(MIN_AGE - 1))).toEqual({
      value: false,
      cites: [
        {
          reference: 'Patient/p',
          text: `female, age ${MIN_AGE - 1}: outside the ages this service treats as possibly pregnant ${ages}`,
        },
      ],
    });
    expect(pregnant([], woman(MAX_AGE + 1)).value).toBe(false);
    expect(pregnant([], woman(MIN_AGE)).value).toBeNull();
    expect(pregnant([], woman(MAX_AGE)).value).toBeNull();
    expect(pregnant([], patient({ gender: 'female' })).value).toBeNull();
    expect(pregnant([], patient({ birthDate: bornYearsAgo(70) })).value).toBeNull();
  });
});
