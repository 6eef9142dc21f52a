import type { Bundle, Resource } from '@medplum/fhirtypes';
import { HttpError } from './protocol/operation-outcome';
import { describeType, isObject } from '../json-value';
import type { DataRequirement } from './data-requirement';

/**
 * What a client's prefetched value holds, checked as request input: the shape (a 400 naming the field the way the
 * client wrote it) and that every resource is about the patient in context. Planning and fetching stay in prefetch.ts.
 */

/** A prefetched value that is not null: it must be a FHIR resource (a Bundle, the resource, an OperationOutcome). */
export function asResource(value: unknown, field: string): Resource {
  if (!isObject(value) || typeof value.resourceType !== 'string') {
    throw new HttpError(400, [
      {
        field,
        message: `must be a FHIR resource, a Bundle or null, got ${describeType(value)}`,
        problem: 'wrong-type',
      },
    ]);
  }
  return value as unknown as Resource;
}

export function prefetchedResources(value: Resource, requirement: DataRequirement, field: string): Resource[] {
  if (value.resourceType === requirement.resourceType) return [value];
  if (value.resourceType !== 'Bundle') {
    throw new HttpError(400, [
      {
        field: `${field}.resourceType`,
        message: `expected ${requirement.resourceType} or a Bundle of them, got "${value.resourceType.slice(0, 64)}"`,
        problem: 'wrong-resource-type',
      },
    ]);
  }
  const entries = value.entry ?? [];
  if (!Array.isArray(entries))
    throw new HttpError(400, [{ field: `${field}.entry`, message: 'must be an array', problem: 'wrong-type' }]);
  entries.forEach((entry, index) => {
    if (!isObject(entry) || (entry.resource !== undefined && !isObject(entry.resource))) {
      throw new HttpError(400, [
        {
          field: `${field}.entry[${index}]`,
          message: 'must be an object whose resource is a FHIR resource',
          problem: 'wrong-type',
        },
      ]);
    }
  });
  return matches(value, requirement);
}

/** Search results only: a searchset may also carry OperationOutcomes and _include'd resources. */
export function matches(bundle: Bundle, requirement: DataRequirement): Resource[] {
  return (bundle.entry ?? [])
    .map((entry) => entry.resource)
    .filter((resource): resource is Resource => resource?.resourceType === requirement.resourceType);
}

const PATIENT_REFERENCE = /(?:^|\/)Patient\/([^/]+?)(?:\/_history\/[^/]+)?$/;

/** The patient a resource is about, when it says so in a form that can be read without resolving it. */
function patientIdOf(resource: Resource): string | undefined {
  // Client data: any field may hold any JSON type, so only strings are read.
  if (resource.resourceType === 'Patient') return typeof resource.id === 'string' ? resource.id : undefined;
  const holder = resource as { subject?: { reference?: unknown }; patient?: { reference?: unknown } };
  const reference = holder.subject?.reference ?? holder.patient?.reference;
  return typeof reference === 'string' ? PATIENT_REFERENCE.exec(reference)?.[1] : undefined;
}

export function isAboutAnotherPatient(resource: Resource | undefined, patientId: string): boolean {
  const owner = resource ? patientIdOf(resource) : undefined;
  return owner !== undefined && owner !== patientId;
}

/** Names the offending field the way the client wrote it: `prefetch.conditions.entry[3].resource`. */
export function assertSamePatient(value: Resource, patientId: string, field: string): void {
  const entries = value.resourceType === 'Bundle' ? (value.entry ?? []).map((entry) => entry.resource) : [value];
  const index = entries.findIndex((resource) => isAboutAnotherPatient(resource, patientId));
  if (index < 0) return;
  const where = value.resourceType === 'Bundle' ? `${field}.entry[${index}].resource` : field;
  throw new HttpError(400, [
    { field: where, message: 'describes a different patient than context.patientId', problem: 'other-patient' },
  ]);
}
