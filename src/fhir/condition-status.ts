import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import { isObject } from '../json-value';

/**
 * Condition.clinicalStatus and verificationStatus: the codes each FHIR version allows (FHIR's own required
 * bindings, not clinical terminology) and a strict reading of them. A status that is present but cannot be read is
 * an error, never "no status": read as absent, a resolved cauda equina or cancer would count as active.
 */
export type StatusField = 'clinicalStatus' | 'verificationStatus';

export const STATUS_SYSTEMS: Record<StatusField, string> = {
  clinicalStatus: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  verificationStatus: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
};

/** STU3 (and many R4 exports migrated from it) wrote the same codes under these older system URLs. */
const STU3_SYSTEMS: Record<StatusField, string> = {
  clinicalStatus: 'http://hl7.org/fhir/condition-clinical',
  verificationStatus: 'http://hl7.org/fhir/condition-ver-status',
};

export const R4_STATUS_CODES: Record<StatusField, readonly string[]> = {
  clinicalStatus: ['active', 'recurrence', 'relapse', 'inactive', 'remission', 'resolved'],
  verificationStatus: ['unconfirmed', 'provisional', 'differential', 'confirmed', 'refuted', 'entered-in-error'],
};

export const STU3_STATUS_CODES: Record<StatusField, readonly string[]> = {
  clinicalStatus: ['active', 'recurrence', 'inactive', 'remission', 'resolved'],
  verificationStatus: ['provisional', 'differential', 'confirmed', 'refuted', 'entered-in-error', 'unknown'],
};

/** A field of a resource that cannot be read, relative to the resource (`clinicalStatus.coding[1].code`). */
export class FieldProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'FieldProblem';
  }
}

const quoted = (codes: readonly string[]) => codes.map((code) => `"${code}"`).join(', ');

/** An R4 status as the facts read it: one coding of the status system with a code of the value set. */
export function statusConcept(field: StatusField, code: string): CodeableConcept {
  return { coding: [{ system: STATUS_SYSTEMS[field], code }] };
}

/**
 * Checks an R4 status and returns it with the status coding first (facts read the first coding), or throws a
 * FieldProblem naming what is wrong: not a CodeableConcept, no coding of the status system, a code outside the
 * value set, or two codings that disagree.
 */
export function readR4Status(field: StatusField, value: unknown): CodeableConcept {
  if (!isObject(value)) throw new FieldProblem(field, 'must be a CodeableConcept (an object with coding) in FHIR R4');
  const codings = value.coding ?? [];
  if (!Array.isArray(codings)) throw new FieldProblem(`${field}.coding`, 'must be an array of codings');
  const allowed = R4_STATUS_CODES[field];
  const statusCodes = new Set<string>();
  const isStatusCoding = ({ system }: Coding) =>
    system === undefined || system === STATUS_SYSTEMS[field] || system === STU3_SYSTEMS[field];
  codings.forEach((coding: unknown, index) => {
    if (!isObject(coding)) throw new FieldProblem(`${field}.coding[${index}]`, 'must be a Coding object');
    if (!isStatusCoding(coding)) return;
    const { code } = coding as Coding;
    if (typeof code !== 'string' || !allowed.includes(code)) {
      throw new FieldProblem(`${field}.coding[${index}].code`, `must be one of ${quoted(allowed)}`);
    }
    statusCodes.add(code);
  });
  if (statusCodes.size === 0) throw new FieldProblem(`${field}.coding`, `has no coding of ${STATUS_SYSTEMS[field]}`);
  if (statusCodes.size > 1)
    throw new FieldProblem(`${field}.coding`, `holds contradictory codes ${quoted([...statusCodes])}`);
  const [code] = statusCodes;
  const first = codings[0] as Coding;
  // A status coding first holds the one status code (checked above): the concept is returned as sent.
  return isStatusCoding(first) ? (value as CodeableConcept) : statusConcept(field, code);
}

/** Checks an STU3 status (a plain code); throws a FieldProblem when it is not one of the STU3 value set's codes. */
export function readStu3Status(field: StatusField, value: unknown): string {
  const allowed = STU3_STATUS_CODES[field];
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new FieldProblem(field, `must be one of ${quoted(allowed)} in FHIR STU3`);
  }
  return value;
}
