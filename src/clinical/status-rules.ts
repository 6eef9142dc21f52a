import type { CodeableConcept, Condition, MedicationRequest, Observation, Procedure } from '@medplum/fhirtypes';
import { parseTime } from './fhir-time';

/** Which recorded statuses count: the FHIR R4 status rules the patient record applies to every question. */

const codeOf = (concept: CodeableConcept | undefined): string | undefined => concept?.coding?.[0]?.code;

/** Clinical statuses that claim a condition is current (R4 codes; STU3 data arrives translated). */
const CURRENT_CLINICAL_STATUSES = ['active', 'recurrence', 'relapse'];

/** The recorded clinical status claims the condition is current, whatever its abatement says. */
export function isRecordedAsCurrent(condition: Condition): boolean {
  const clinical = codeOf(condition.clinicalStatus);
  return clinical !== undefined && CURRENT_CLINICAL_STATUSES.includes(clinical);
}

export function isNotErroneous(condition: Condition): boolean {
  const verification = codeOf(condition.verificationStatus);
  return verification !== 'entered-in-error' && verification !== 'refuted';
}

/**
 * Real data often omits clinicalStatus (Synthea sets it; many EHR exports do not). Without it, a condition
 * counts as active unless it carries an abatement in the past.
 */
export function isActiveCondition(condition: Condition, now: Date): boolean {
  if (!isNotErroneous(condition)) return false;
  const clinical = codeOf(condition.clinicalStatus);
  if (clinical !== undefined && !CURRENT_CLINICAL_STATUSES.includes(clinical)) return false;
  const abated = abatementTime(condition);
  return abated === undefined || abated > now.getTime();
}

function abatementTime(condition: Condition): number | undefined {
  if (condition.abatementDateTime) return parseTime(condition.abatementDateTime);
  if (condition.abatementPeriod) return parseTime(condition.abatementPeriod.end ?? condition.abatementPeriod.start);
  return condition.abatementString || condition.abatementAge || condition.abatementRange
    ? Number.NEGATIVE_INFINITY
    : undefined;
}

export function isUsableObservation(observation: Observation): boolean {
  return ['final', 'amended', 'corrected', 'preliminary'].includes(observation.status);
}

/** Procedures that happened or are happening. */
export function isPerformedProcedure(procedure: Procedure): boolean {
  return procedure.status === 'completed' || procedure.status === 'in-progress';
}

/** Prescriptions in force: active, or on hold (a hold is a pause, the drug is still the patient's). */
export function isCurrentPrescription(request: MedicationRequest): boolean {
  return request.status === 'active' || request.status === 'on-hold';
}
