import type { CodeableConcept, Medication, MedicationRequest, Resource } from '@medplum/fhirtypes';

/**
 * What a prescription prescribes: its code, or the code of a Medication contained in it (`medicationReference`
 * `#id`, as FHIR R4 exports such as Epic's often send it).
 */
export function medicationConcept(request: MedicationRequest): CodeableConcept | undefined {
  return request.medicationCodeableConcept ?? containedMedication(request)?.code;
}

/** The Medication contained in a prescription and referenced by it (`medicationReference` `#id`). */
export function containedMedication(request: MedicationRequest): Medication | undefined {
  // Draft orders are request JSON no schema has checked: a reference or a contained list of another type finds nothing.
  const reference: unknown = request.medicationReference?.reference;
  const contained: unknown = request.contained;
  if (typeof reference !== 'string' || !reference.startsWith('#') || !Array.isArray(contained)) return undefined;
  return (contained as Array<Resource | null>).find(
    (resource) => resource?.resourceType === 'Medication' && resource.id === reference.slice(1),
  ) as Medication | undefined;
}
