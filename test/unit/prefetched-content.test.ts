import type { Resource } from '@medplum/fhirtypes';
import type { DataRequirement } from '../../src/cds/data-requirement';
import {
  asResource,
  assertSamePatient,
  isAboutAnotherPatient,
  prefetchedResources,
} from '../../src/cds/prefetched-content';
import { HttpError } from '../../src/cds/protocol/operation-outcome';

/** A client's prefetched value, checked as request input: which problem, at which field, with which status. */

const conditions: DataRequirement = {
  key: 'conditions',
  template: 'Condition?patient={{context.patientId}}',
  resourceType: 'Condition',
  required: true,
};
const condition = (id: string, patient: string): Resource =>
  ({ resourceType: 'Condition', id, subject: { reference: `Patient/${patient}` } }) as Resource;

function problemOf(run: () => unknown): { status: number; field?: string; message: string } {
  try {
    run();
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return { status: error.status, field: error.problems[0].field, message: error.problems[0].message };
  }
  throw new Error('expected an HttpError');
}

test('a prefetched value must be a FHIR resource: anything else is a 400 naming the key', () => {
  expect(problemOf(() => asResource([1], 'prefetch.conditions'))).toEqual({
    status: 400,
    field: 'prefetch.conditions',
    message: 'must be a FHIR resource, a Bundle or null, got an array',
  });
  expect(problemOf(() => asResource({ resourceType: 7 }, 'prefetch.conditions')).status).toBe(400);
  expect(asResource({ resourceType: 'Bundle' }, 'prefetch.conditions')).toEqual({ resourceType: 'Bundle' });
});

test('a Bundle gives its resources of the required type only; a wrong type or entry shape names the field', () => {
  const bundle = {
    resourceType: 'Bundle',
    entry: [{ resource: condition('a', 'p') }, { resource: { resourceType: 'OperationOutcome' } }, {}],
  } as Resource;
  expect(prefetchedResources(bundle, conditions, 'prefetch.conditions').map((r) => r.id)).toEqual(['a']);
  expect(prefetchedResources(condition('b', 'p'), conditions, 'prefetch.conditions').map((r) => r.id)).toEqual(['b']);
  expect(
    problemOf(() => prefetchedResources({ resourceType: 'Patient' } as Resource, conditions, 'prefetch.conditions')),
  ).toEqual({
    status: 400,
    field: 'prefetch.conditions.resourceType',
    message: 'expected Condition or a Bundle of them, got "Patient"',
  });
  const badEntries = { resourceType: 'Bundle', entry: [{ resource: condition('a', 'p') }, 'x'] } as unknown as Resource;
  expect(problemOf(() => prefetchedResources(badEntries, conditions, 'prefetch.conditions')).field).toBe(
    'prefetch.conditions.entry[1]',
  );
  const notArray = { resourceType: 'Bundle', entry: {} } as unknown as Resource;
  expect(problemOf(() => prefetchedResources(notArray, conditions, 'prefetch.conditions')).field).toBe(
    'prefetch.conditions.entry',
  );
});

test('data about another patient is a 400 naming the entry; references of any form are read', () => {
  const bundle = {
    resourceType: 'Bundle',
    entry: [{ resource: condition('a', 'p') }, { resource: condition('b', 'someone-else') }],
  } as Resource;
  expect(problemOf(() => assertSamePatient(bundle, 'p', 'prefetch.conditions'))).toEqual({
    status: 400,
    field: 'prefetch.conditions.entry[1].resource',
    message: 'describes a different patient than context.patientId',
  });
  expect(() => assertSamePatient(condition('a', 'p'), 'p', 'prefetch.conditions')).not.toThrow();
  expect(isAboutAnotherPatient(condition('a', 'q'), 'p')).toBe(true);
  const absolute = {
    resourceType: 'Condition',
    subject: { reference: 'https://ehr.example/fhir/Patient/p/_history/3' },
  } as Resource;
  expect(isAboutAnotherPatient(absolute, 'p')).toBe(false);
  expect(isAboutAnotherPatient({ resourceType: 'Patient', id: 'q' } as Resource, 'p')).toBe(true);
  expect(isAboutAnotherPatient({ resourceType: 'Condition' } as Resource, 'p')).toBe(false);
  expect(isAboutAnotherPatient(undefined, 'p')).toBe(false);
});
