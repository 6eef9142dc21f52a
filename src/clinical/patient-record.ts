import type {
  CodeableConcept,
  Coding,
  Condition,
  MedicationRequest,
  Observation,
  Patient,
  Procedure,
  Resource,
} from '@medplum/fhirtypes';
import type { DataStatus } from '../cds/prefetch';

/** The terminology operations the clinical layer needs (implemented by src/fhir/terminology). */
export interface CodeMatcher {
  match(concept: CodeableConcept | Coding[] | undefined, valueSet: string): Coding | undefined;
}

export interface RecordData {
  patient?: Patient;
  conditions: Condition[];
  observations: Observation[];
  procedures: Procedure[];
  medications: MedicationRequest[];
  /** Per prefetch key (patient, conditions, observations, procedures, medications). */
  status: Record<string, DataStatus>;
}

/** A coded resource found in a ValueSet, with the coding that matched (for citing). */
export interface Match<T extends Resource> {
  resource: T;
  coding: Coding;
}

const DAY_MS = 86_400_000;

/**
 * The patient's data for one hook call, with ValueSet look-ups memoised so that every fact asking
 * "which active conditions are in ValueSet X" scans the conditions once per ValueSet, not once per rule.
 */
export class PatientRecord {
  private readonly cache = new Map<string, unknown>();

  constructor(
    readonly data: RecordData,
    readonly terminology: CodeMatcher,
    readonly now: Date,
  ) {}

  isAvailable(key: string): boolean {
    return this.data.status[key]?.available ?? false;
  }

  /** Why data under a prefetch key could not be had, for "not checked" notes on cards. */
  unavailableReason(key: string): string | undefined {
    const status = this.data.status[key];
    if (!status) return `${key} were not requested`;
    return status.available ? undefined : status.reason;
  }

  /** Active, confirmed-or-unconfirmed (not refuted, not entered-in-error), not abated conditions in a ValueSet. */
  activeConditions(valueSet: string): Match<Condition>[] {
    return this.memo(`condition:${valueSet}`, () =>
      this.matching(this.data.conditions.filter((condition) => isActiveCondition(condition, this.now)), (c) => c.code, valueSet),
    );
  }

  /** Every condition in the ValueSet whatever its status (for history such as prior cancer or past surgery). */
  anyConditions(valueSet: string): Match<Condition>[] {
    return this.memo(`condition-any:${valueSet}`, () =>
      this.matching(this.data.conditions.filter(isNotErroneous), (c) => c.code, valueSet),
    );
  }

  /** Final/amended/corrected/preliminary observations in a ValueSet, newest first. */
  observations(valueSet: string): Match<Observation>[] {
    return this.memo(`observation:${valueSet}`, () =>
      this.matching(this.data.observations.filter(isUsableObservation), (o) => o.code, valueSet).sort(
        (a, b) => (effectiveTime(b.resource) ?? 0) - (effectiveTime(a.resource) ?? 0),
      ),
    );
  }

  /** Observations carrying a component in the ValueSet (e.g. systolic inside a blood pressure panel). */
  observationComponents(valueSet: string): Array<Match<Observation> & { quantity: number; unit?: string }> {
    return this.memo(`component:${valueSet}`, () =>
      this.data.observations.filter(isUsableObservation).flatMap((observation) =>
        (observation.component ?? []).flatMap((component) => {
          const coding = this.terminology.match(component.code, valueSet);
          const value = component.valueQuantity?.value;
          return coding && typeof value === 'number'
            ? [{ resource: observation, coding, quantity: value, unit: component.valueQuantity?.unit ?? component.valueQuantity?.code }]
            : [];
        }),
      ),
    );
  }

  /** Completed or in-progress procedures in a ValueSet, newest first. */
  procedures(valueSet: string): Match<Procedure>[] {
    return this.memo(`procedure:${valueSet}`, () =>
      this.matching(
        this.data.procedures.filter((p) => p.status === 'completed' || p.status === 'in-progress'),
        (p) => p.code,
        valueSet,
      ).sort((a, b) => (procedureTime(b.resource) ?? 0) - (procedureTime(a.resource) ?? 0)),
    );
  }

  /** Active (or on-hold) medication requests in a ValueSet. */
  activeMedications(valueSet: string): Match<MedicationRequest>[] {
    return this.memo(`medication:${valueSet}`, () =>
      this.matching(
        this.data.medications.filter((m) => m.status === 'active' || m.status === 'on-hold'),
        (m) => m.medicationCodeableConcept,
        valueSet,
      ),
    );
  }

  daysSince(time: number): number {
    return Math.floor((this.now.getTime() - time) / DAY_MS);
  }

  private matching<T extends Resource>(resources: T[], codeOf: (r: T) => CodeableConcept | undefined, valueSet: string): Match<T>[] {
    return resources.flatMap((resource) => {
      const coding = this.terminology.match(codeOf(resource), valueSet);
      return coding ? [{ resource, coding }] : [];
    });
  }

  private memo<T>(key: string, compute: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, compute());
    return this.cache.get(key) as T;
  }
}

const codeOf = (concept: CodeableConcept | undefined): string | undefined => concept?.coding?.[0]?.code;

function isNotErroneous(condition: Condition): boolean {
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
  if (clinical !== undefined && !['active', 'recurrence', 'relapse'].includes(clinical)) return false;
  const abated = abatementTime(condition);
  return abated === undefined || abated > now.getTime();
}

function abatementTime(condition: Condition): number | undefined {
  if (condition.abatementDateTime) return parseTime(condition.abatementDateTime);
  if (condition.abatementPeriod) return parseTime(condition.abatementPeriod.end ?? condition.abatementPeriod.start);
  return condition.abatementString || condition.abatementAge || condition.abatementRange ? Number.NEGATIVE_INFINITY : undefined;
}

function isUsableObservation(observation: Observation): boolean {
  return ['final', 'amended', 'corrected', 'preliminary'].includes(observation.status);
}

export function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

export function effectiveTime(observation: Observation): number | undefined {
  return parseTime(
    observation.effectiveDateTime ?? observation.effectivePeriod?.end ?? observation.effectivePeriod?.start ?? observation.effectiveInstant ?? observation.issued,
  );
}

export function procedureTime(procedure: Procedure): number | undefined {
  return parseTime(procedure.performedDateTime ?? procedure.performedPeriod?.end ?? procedure.performedPeriod?.start);
}

/** When a condition began: onset, else the date it was recorded. */
export function onsetTime(condition: Condition): number | undefined {
  return parseTime(condition.onsetDateTime ?? condition.onsetPeriod?.start ?? condition.recordedDate);
}
