import type { Resource } from '@medplum/fhirtypes';
import type { JsonObject } from '../json-value';
import { FieldProblem, readStu3Status, statusConcept, type StatusField } from './condition-status';

/**
 * FHIR STU3 (3.0) resources in their R4 meaning, for the fields the facts read, so that everything after this
 * module reads R4 only. Patient (gender, birthDate, deceased[x]), Observation (status, code, value[x], component,
 * effective[x]) and MedicationRequest (status, medication[x], authoredOn) read the same in both versions; what
 * differs is below. Fields the facts never read are passed on unchanged. The input is never modified.
 * Throws a FieldProblem for a field whose STU3 value cannot be read.
 */
export function stu3ToR4(resource: Resource): Resource {
  const source = resource as unknown as JsonObject;
  const translate = TRANSLATIONS[resource.resourceType];
  return translate ? (translate({ ...source }) as unknown as Resource) : resource;
}

const TRANSLATIONS: Record<string, (copy: JsonObject) => JsonObject> = {
  Condition: condition,
  Procedure: procedure,
};

/**
 * Statuses are plain codes in STU3 (CodeableConcepts in R4); `unknown` verification, which R4 dropped, says nothing
 * and is left out. `assertedDate` is R4's `recordedDate` (an episode without onset is dated by it).
 * `abatementBoolean: true` (abated, date unknown; R4 has no boolean) becomes an abatement string, which ends the
 * condition as any past abatement does.
 */
function condition(copy: JsonObject): JsonObject {
  for (const field of ['clinicalStatus', 'verificationStatus'] as StatusField[]) {
    if (copy[field] === undefined) continue;
    const code = readStu3Status(field, copy[field]);
    if (code === 'unknown') Reflect.deleteProperty(copy, field);
    else copy[field] = statusConcept(field, code);
  }
  if (copy.assertedDate !== undefined) {
    copy.recordedDate = copy.assertedDate;
    delete copy.assertedDate;
  }
  if (copy.abatementBoolean !== undefined) {
    if (typeof copy.abatementBoolean !== 'boolean') throw new FieldProblem('abatementBoolean', 'must be true or false');
    if (copy.abatementBoolean) copy.abatementString = 'abated (STU3 abatementBoolean; date not recorded)';
    delete copy.abatementBoolean;
  }
  return copy;
}

/** STU3 procedure statuses R4 renamed; `notDone: true` is R4's `not-done` status. */
const PROCEDURE_STATUS: Record<string, string> = { suspended: 'on-hold', aborted: 'stopped' };

function procedure(copy: JsonObject): JsonObject {
  if (copy.notDone !== undefined && typeof copy.notDone !== 'boolean') {
    throw new FieldProblem('notDone', 'must be true or false');
  }
  if (copy.notDone === true) copy.status = 'not-done';
  else if (typeof copy.status === 'string') copy.status = PROCEDURE_STATUS[copy.status] ?? copy.status;
  delete copy.notDone;
  return copy;
}
