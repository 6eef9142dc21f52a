import type { CodeableConcept, Medication, MedicationRequest } from '@medplum/fhirtypes';

/**
 * What a prescription prescribes: its code, or the code of a Medication contained in it (`medicationReference`
 * `#id`, as FHIR R4 exports such as Epic's often send it).
 */
export function medicationConcept(request: MedicationRequest): CodeableConcept | undefined {
  if (request.medicationCodeableConcept) return request.medicationCodeableConcept;
  const reference = request.medicationReference?.reference;
  if (!reference?.startsWith('#')) return undefined;
  const contained = request.contained?.find(
    (resource) => resource.resourceType === 'Medication' && resource.id === reference.slice(1),
  );
  return (contained as Medication | undefined)?.code;
}
