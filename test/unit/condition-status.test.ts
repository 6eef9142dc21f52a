import {
  FieldProblem,
  readR4Status,
  readStu3Status,
  statusConcept,
  STATUS_SYSTEMS,
} from '../../src/fhir/condition-status';

/** Condition statuses are read strictly: a status that cannot be read is a problem naming its field, never "none". */

const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const other = { system: 'http://snomed.info/sct', code: '55561003', display: 'Active' };

function problemOf(read: () => unknown): { field: string; message: string; name: string } {
  try {
    read();
  } catch (error) {
    if (!(error instanceof FieldProblem)) throw error;
    return { field: error.field, message: error.message, name: error.name };
  }
  throw new Error('expected a FieldProblem');
}

test('the R4 status systems', () => {
  expect(STATUS_SYSTEMS).toEqual({ clinicalStatus: CLINICAL, verificationStatus: VERIFICATION });
  expect(statusConcept('verificationStatus', 'refuted')).toEqual({
    coding: [{ system: VERIFICATION, code: 'refuted' }],
  });
});

test('a status whose first coding is the status is returned as sent', () => {
  const value = { coding: [{ system: CLINICAL, code: 'resolved' }, other], text: 'Resolved' };
  expect(readR4Status('clinicalStatus', value)).toBe(value);
  const withoutSystem = { coding: [{ code: 'active' }] };
  expect(readR4Status('clinicalStatus', withoutSystem)).toBe(withoutSystem);
});

test.each([
  ['the R4 system', CLINICAL],
  ['the STU3 system', 'http://hl7.org/fhir/condition-clinical'],
  ['no system', undefined],
])('a status coding under %s after another coding is put first', (_name, system) => {
  expect(readR4Status('clinicalStatus', { coding: [other, { system, code: 'remission' }] })).toEqual(
    statusConcept('clinicalStatus', 'remission'),
  );
});

test('the STU3 verification system is read for verificationStatus, not the clinical one', () => {
  const stu3 = { coding: [other, { system: 'http://hl7.org/fhir/condition-ver-status', code: 'refuted' }] };
  expect(readR4Status('verificationStatus', stu3)).toEqual(statusConcept('verificationStatus', 'refuted'));
  expect(
    problemOf(() => readR4Status('verificationStatus', { coding: [{ system: CLINICAL, code: 'active' }] })),
  ).toEqual({
    field: 'verificationStatus.coding',
    message: `has no coding of ${VERIFICATION}`,
    name: 'FieldProblem',
  });
});

test('the same code twice is one status; a first coding with another code is replaced', () => {
  const twice = { coding: [{ system: CLINICAL, code: 'active' }, { code: 'active' }] };
  expect(readR4Status('clinicalStatus', twice)).toBe(twice);
  expect(
    readR4Status('clinicalStatus', { coding: [{ system: 'http://x', code: 'active' }, { code: 'active' }] }),
  ).toEqual(statusConcept('clinicalStatus', 'active'));
});

test.each([
  ['a number', 3, 'clinicalStatus', 'must be a CodeableConcept (an object with coding) in FHIR R4'],
  ['a string', 'active', 'clinicalStatus', 'must be a CodeableConcept (an object with coding) in FHIR R4'],
  [
    'a coding that is not a list',
    { coding: { code: 'active' } },
    'clinicalStatus.coding',
    'must be an array of codings',
  ],
  ['text only', { text: 'resolved' }, 'clinicalStatus.coding', `has no coding of ${CLINICAL}`],
  ['only other systems', { coding: [other] }, 'clinicalStatus.coding', `has no coding of ${CLINICAL}`],
  [
    'a coding that is not an object',
    { coding: [other, 'active'] },
    'clinicalStatus.coding[1]',
    'must be a Coding object',
  ],
  [
    'an STU3-only code',
    { coding: [other, { system: CLINICAL, code: 'cured' }] },
    'clinicalStatus.coding[1].code',
    'must be one of "active", "recurrence", "relapse", "inactive", "remission", "resolved"',
  ],
  [
    'a code that is not a string',
    { coding: [{ system: CLINICAL, code: 1 }] },
    'clinicalStatus.coding[0].code',
    'must be one of "active", "recurrence", "relapse", "inactive", "remission", "resolved"',
  ],
  [
    'two codes that disagree',
    { coding: [{ system: CLINICAL, code: 'active' }, other, { code: 'resolved' }] },
    'clinicalStatus.coding',
    'holds contradictory codes "active", "resolved"',
  ],
])('an R4 clinicalStatus that is %s is a problem of its field', (_name, value, field, message) => {
  expect(problemOf(() => readR4Status('clinicalStatus', value))).toEqual({ field, message, name: 'FieldProblem' });
});

test('each FHIR version has its own codes: R4 verification has no "unknown", STU3 has no "unconfirmed"', () => {
  expect(problemOf(() => readR4Status('verificationStatus', { coding: [{ code: 'unknown' }] }))).toEqual({
    field: 'verificationStatus.coding[0].code',
    message: 'must be one of "unconfirmed", "provisional", "differential", "confirmed", "refuted", "entered-in-error"',
    name: 'FieldProblem',
  });
  expect(readStu3Status('verificationStatus', 'unknown')).toBe('unknown');
  expect(readStu3Status('clinicalStatus', 'recurrence')).toBe('recurrence');
  expect(problemOf(() => readStu3Status('verificationStatus', 'unconfirmed'))).toEqual({
    field: 'verificationStatus',
    message:
      'must be one of "provisional", "differential", "confirmed", "refuted", "entered-in-error", "unknown" ' +
      'in FHIR STU3',
    name: 'FieldProblem',
  });
  expect(problemOf(() => readStu3Status('clinicalStatus', { coding: [{ code: 'active' }] }))).toEqual({
    field: 'clinicalStatus',
    message: 'must be one of "active", "recurrence", "inactive", "remission", "resolved" in FHIR STU3',
    name: 'FieldProblem',
  });
});
