import { isObject, type JsonObject } from '../json-value';

/** FHIR releases this service can tell apart. Facts and rules read R4; STU3 is translated; DSTU2 is refused. */
export type FhirVersion = 'R4' | 'STU3' | 'DSTU2';

export const FHIR_VERSIONS: readonly FhirVersion[] = ['R4', 'STU3', 'DSTU2'];
export const SUPPORTED_FHIR_VERSIONS: readonly FhirVersion[] = ['R4', 'STU3'];

/**
 * The version a CapabilityStatement (or DSTU2 Conformance) `fhirVersion` names: 1.0.x is DSTU2, 3.0.x STU3, 4.0.x
 * R4 and 4.3.x R4B (whose Patient, Condition, Observation, Procedure and MedicationRequest are R4's). Anything else
 * (ballots, R5, which changed MedicationRequest.medication) is returned as written, to be refused.
 */
export function versionOfRelease(release: string): FhirVersion | { unknown: string } {
  if (/^1\.0(\.|$)/.test(release)) return 'DSTU2';
  if (/^3\.0(\.|$)/.test(release)) return 'STU3';
  if (/^4\.[03](\.|$)/.test(release)) return 'R4';
  return { unknown: release.slice(0, 20) };
}

/** What one field of a resource says about its FHIR version. */
export interface ShapeEvidence {
  /** The field that shows it, relative to the resource: `clinicalStatus`, `patient`, or `resourceType`. */
  field: string;
  /** The versions in which a resource can have this field in this form. */
  versions: readonly FhirVersion[];
  /** e.g. "is a code (STU3, DSTU2), not a CodeableConcept (R4)". */
  shows: string;
}

interface Marker extends ShapeEvidence {
  resourceType: string;
  /** Whether the resource has the marker; by default, whether the field is present. */
  has?: (value: unknown) => boolean;
}

const isCode = (value: unknown) => typeof value === 'string';
const STATUS_AS_CODE = 'is a plain code, as STU3 and DSTU2 write it (R4: a CodeableConcept)';
const STATUS_AS_CONCEPT = 'is a CodeableConcept, as R4 writes it (STU3 and DSTU2: a plain code)';

/**
 * Fields whose presence or form differs between the versions, for the five resource types the service reads (and
 * MedicationOrder, DSTU2's MedicationRequest). Fields that read the same in every version are neutral.
 */
const MARKERS: readonly Marker[] = [
  // STU3 named the encounter `context`.
  ...(['Condition', 'Observation', 'Procedure'] as const).flatMap((resourceType): Marker[] => [
    { resourceType, field: 'context', versions: ['STU3'], shows: 'exists only in STU3 (R4, DSTU2: encounter)' },
    { resourceType, field: 'encounter', versions: ['R4', 'DSTU2'], shows: 'does not exist in STU3 (context)' },
  ]),
  ...(['clinicalStatus', 'verificationStatus'] as const).flatMap((field): Marker[] => [
    { resourceType: 'Condition', field, has: isCode, versions: ['STU3', 'DSTU2'], shows: STATUS_AS_CODE },
    { resourceType: 'Condition', field, has: isObject, versions: ['R4'], shows: STATUS_AS_CONCEPT },
  ]),
  {
    resourceType: 'Condition',
    field: 'patient',
    versions: ['DSTU2'],
    shows: 'names the patient, as DSTU2 does (STU3, R4: subject)',
  },
  {
    resourceType: 'Condition',
    field: 'subject',
    versions: ['STU3', 'R4'],
    shows: 'names the patient as subject (DSTU2: patient)',
  },
  { resourceType: 'Condition', field: 'dateRecorded', versions: ['DSTU2'], shows: 'exists only in DSTU2' },
  { resourceType: 'Condition', field: 'assertedDate', versions: ['STU3'], shows: 'exists only in STU3' },
  { resourceType: 'Condition', field: 'recordedDate', versions: ['R4'], shows: 'exists only in R4' },
  { resourceType: 'Condition', field: 'abatementBoolean', versions: ['STU3', 'DSTU2'], shows: 'does not exist in R4' },
  {
    resourceType: 'Observation',
    field: 'category',
    has: isObject,
    versions: ['DSTU2'],
    shows: 'is a single CodeableConcept, as in DSTU2 (STU3, R4: a list)',
  },
  { resourceType: 'Observation', field: 'valueInteger', versions: ['R4'], shows: 'exists only in R4' },
  { resourceType: 'Observation', field: 'hasMember', versions: ['R4'], shows: 'exists only in R4' },
  { resourceType: 'Observation', field: 'related', versions: ['STU3', 'DSTU2'], shows: 'does not exist in R4' },
  { resourceType: 'Procedure', field: 'notDone', versions: ['STU3'], shows: 'exists only in STU3' },
  { resourceType: 'Procedure', field: 'notPerformed', versions: ['DSTU2'], shows: 'exists only in DSTU2' },
  {
    resourceType: 'Procedure',
    field: 'status',
    has: (value) => value === 'suspended',
    versions: ['STU3'],
    shows: 'is "suspended", a code only STU3 has',
  },
  {
    resourceType: 'Procedure',
    field: 'status',
    has: (value) => value === 'aborted',
    versions: ['STU3', 'DSTU2'],
    shows: 'is "aborted", a code R4 no longer has',
  },
  {
    resourceType: 'Procedure',
    field: 'status',
    has: (value) => value === 'not-done' || value === 'on-hold' || value === 'stopped',
    versions: ['R4'],
    shows: 'is a code only R4 has',
  },
  {
    resourceType: 'MedicationRequest',
    field: 'resourceType',
    has: () => true,
    versions: ['STU3', 'R4'],
    shows: 'MedicationRequest does not exist in DSTU2',
  },
  {
    resourceType: 'MedicationRequest',
    field: 'context',
    versions: ['STU3'],
    shows: 'exists only in STU3 (R4: encounter)',
  },
  {
    resourceType: 'MedicationRequest',
    field: 'encounter',
    versions: ['R4'],
    shows: 'exists only in R4 (STU3: context)',
  },
  {
    resourceType: 'MedicationOrder',
    field: 'resourceType',
    has: () => true,
    versions: ['DSTU2'],
    shows: 'MedicationOrder exists only in DSTU2',
  },
  { resourceType: 'Patient', field: 'animal', versions: ['STU3', 'DSTU2'], shows: 'does not exist in R4' },
];

const markersByType = new Map<string, Marker[]>();
for (const marker of MARKERS)
  markersByType.set(marker.resourceType, [...(markersByType.get(marker.resourceType) ?? []), marker]);

const NO_EVIDENCE: readonly ShapeEvidence[] = Object.freeze([]);

/**
 * What a resource's fields say about its version, in the table's order; empty for a neutral resource. Called for
 * every resource of a call (10,000 in a large chart), so it allocates only when a field says something.
 */
export function shapeEvidence(resource: JsonObject): readonly ShapeEvidence[] {
  const markers = typeof resource.resourceType === 'string' ? markersByType.get(resource.resourceType) : undefined;
  let found: ShapeEvidence[] | undefined;
  for (const marker of markers ?? NO_EVIDENCE) {
    const { field, has } = marker as Marker;
    if (!Object.hasOwn(resource, field)) continue;
    if (has ? has(resource[field]) : resource[field] != null) (found ??= []).push(marker);
  }
  return found ?? NO_EVIDENCE;
}
