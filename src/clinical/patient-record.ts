import type {
  CodeableConcept,
  Condition,
  MedicationRequest,
  Observation,
  ObservationComponent,
  Patient,
  Procedure,
  Resource,
} from '@medplum/fhirtypes';
import type { DataStatus } from '../cds/protocol/data-status';
import { UnknownValueSetError } from '../fhir/terminology';
import { CodeIndex, type CodeMatcher, type Match } from './code-index';
import { effectiveTime, newestFirst, procedureTime } from './fhir-time';
import { medicationConcept } from './medication-concept';
import {
  isActiveCondition,
  isCurrentPrescription,
  isNotErroneous,
  isPerformedProcedure,
  isUsableObservation,
} from './status-rules';

export interface RecordData {
  patient?: Patient;
  conditions: Condition[];
  observations: Observation[];
  procedures: Procedure[];
  medications: MedicationRequest[];
  /** Per prefetch key (patient, conditions, observations, procedures, medications). */
  status: Record<string, DataStatus>;
}

const DAY_MS = 86_400_000;

type ComponentMatch = Match<Observation> & { component: ObservationComponent };

/**
 * The patient's data for one hook call. Each kind of coded data is indexed once, in a single pass, by every
 * ValueSet its codes belong to; the facts then ask about some forty ValueSets, and each question costs only its
 * matches (the answers are memoised too, since several facts ask the same one).
 */
export class PatientRecord {
  /** Answers by question (a constant such as `condition`) and ValueSet: two look-ups of interned strings. */
  private readonly cache = new Map<string, Map<string, unknown>>();

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
    // Stryker disable next-line StringLiteral: a memo key; any value distinct from the others works
    return this.memo('condition', valueSet, () =>
      this.matching(
        this.conditionCodes(),
        this.data.conditions,
        (condition) => isActiveCondition(condition, this.now),
        valueSet,
      ),
    );
  }

  /** Every condition in the ValueSet whatever its status (for history such as prior cancer or past surgery). */
  anyConditions(valueSet: string): Match<Condition>[] {
    // Stryker disable next-line StringLiteral: a memo key; any value distinct from the others works
    return this.memo('condition-any', valueSet, () =>
      this.matching(this.conditionCodes(), this.data.conditions, isNotErroneous, valueSet),
    );
  }

  /** Final/amended/corrected/preliminary observations in a ValueSet, newest first. */
  observations(valueSet: string): Match<Observation>[] {
    // Stryker disable next-line StringLiteral: a memo key; any value distinct from the others works
    return this.memo('observation', valueSet, () =>
      newestFirst(
        this.matching(this.observationCodes(), this.data.observations, isUsableObservation, valueSet),
        effectiveTime,
      ),
    );
  }

  /** Observations carrying a component in the ValueSet (e.g. systolic inside a blood pressure panel). */
  observationComponents(
    valueSet: string,
  ): Array<Match<Observation> & { quantity: number; unit?: string; code?: string }> {
    // Stryker disable next-line StringLiteral: a memo key; any value distinct from the others works
    return this.memo('component', valueSet, () => {
      // Only the components of observations are compared with the ValueSet.
      const compared = (observation: Observation) =>
        isUsableObservation(observation) && (observation.component ?? []).length > 0;
      return this.matching(
        this.componentCodes(),
        this.data.observations,
        isUsableObservation,
        valueSet,
        compared,
      ).flatMap(({ resource, coding, component }) => {
        const value = component.valueQuantity?.value;
        return typeof value === 'number'
          ? [
              {
                resource,
                coding,
                quantity: value,
                unit: component.valueQuantity?.unit ?? component.valueQuantity?.code,
                code: component.valueQuantity?.code,
              },
            ]
          : [];
      });
    });
  }

  /** Completed or in-progress procedures in a ValueSet, newest first. */
  procedures(valueSet: string): Match<Procedure>[] {
    // Stryker disable next-line StringLiteral: a memo key; any value distinct from the others works
    return this.memo('procedure', valueSet, () =>
      newestFirst(
        this.matching(this.procedureCodes(), this.data.procedures, isPerformedProcedure, valueSet),
        procedureTime,
      ),
    );
  }

  /** Active (or on-hold) medication requests in a ValueSet. */
  activeMedications(valueSet: string): Match<MedicationRequest>[] {
    // Stryker disable next-line StringLiteral: a memo key; any value distinct from the others works
    return this.memo('medication', valueSet, () =>
      this.matching(this.medicationCodes(), this.data.medications, isCurrentPrescription, valueSet),
    );
  }

  /**
   * Active (or on-hold) requests whose medication is only a reference to a Medication resource that was not sent
   * with them: what they prescribe is unknown, which a medication check must say rather than read as "none".
   */
  unresolvedMedications(): MedicationRequest[] {
    // Stryker disable next-line StringLiteral: a memo key; any value distinct from the others works
    return this.memo('unresolved-medications', 'all', () =>
      this.data.medications.filter((m) => isCurrentPrescription(m) && medicationConcept(m) === undefined),
    );
  }

  daysSince(time: number): number {
    return Math.floor((this.now.getTime() - time) / DAY_MS);
  }

  /**
   * The matches of a ValueSet among the resources that `keep` accepts, in data order. An unknown ValueSet is an
   * error as soon as there is something to compare with it (a configuration error, never a clinical "no").
   */
  private matching<T extends Resource, E extends Match<T>>(
    index: CodeIndex<T, E>,
    resources: T[],
    keep: (resource: T) => boolean,
    valueSet: string,
    compared: (resource: T) => boolean = keep,
  ): E[] {
    const id = this.terminology.idOf(valueSet);
    if (id === undefined && resources.some(compared)) throw new UnknownValueSetError(valueSet);
    return index.find(id, keep);
  }

  private conditionCodes(): CodeIndex<Condition, Match<Condition>> {
    // Stryker disable next-line StringLiteral: a memo key; any value distinct from the others works
    return this.memo('index', 'conditions', () => this.indexCodes(this.data.conditions, (condition) => condition.code));
  }

  private observationCodes(): CodeIndex<Observation, Match<Observation>> {
    // Stryker disable next-line StringLiteral: a memo key; any value distinct from the others works
    return this.memo('index', 'observations', () =>
      this.indexCodes(this.data.observations, (observation) => observation.code),
    );
  }

  private procedureCodes(): CodeIndex<Procedure, Match<Procedure>> {
    // Stryker disable next-line StringLiteral: a memo key; any value distinct from the others works
    return this.memo('index', 'procedures', () => this.indexCodes(this.data.procedures, (procedure) => procedure.code));
  }

  private medicationCodes(): CodeIndex<MedicationRequest, Match<MedicationRequest>> {
    // Stryker disable next-line StringLiteral: a memo key; any value distinct from the others works
    return this.memo('index', 'medications', () => this.indexCodes(this.data.medications, medicationConcept));
  }

  private indexCodes<T extends Resource>(
    resources: T[],
    conceptOf: (resource: T) => CodeableConcept | undefined,
  ): CodeIndex<T, Match<T>> {
    const index = new CodeIndex<T, Match<T>>(this.terminology);
    for (const resource of resources) index.add(conceptOf(resource), (coding) => ({ resource, coding }));
    return index;
  }

  private componentCodes(): CodeIndex<Observation, ComponentMatch> {
    // Stryker disable next-line StringLiteral: a memo key; any value distinct from the others works
    return this.memo('index', 'components', () => {
      const index = new CodeIndex<Observation, ComponentMatch>(this.terminology);
      for (const observation of this.data.observations) {
        try {
          const components = observation.component ?? [];
          if (!Array.isArray(components)) throw new TypeError('Observation.component is not a list');
          for (const component of components)
            index.add(component.code, (coding) => ({ resource: observation, coding, component }));
        } catch (error) {
          index.unreadable(observation, error);
        }
      }
      return index;
    });
  }

  private memo<T>(question: string, key: string, compute: () => T): T {
    let answers = this.cache.get(question);
    if (answers === undefined) {
      answers = new Map();
      this.cache.set(question, answers);
    }
    if (!answers.has(key)) answers.set(key, compute());
    return answers.get(key) as T;
  }
}
