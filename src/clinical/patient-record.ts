import type {
  CodeableConcept,
  Coding,
  Condition,
  Medication,
  MedicationRequest,
  Observation,
  ObservationComponent,
  Patient,
  Procedure,
  Resource,
} from '@medplum/fhirtypes';
import { codingsOf, UnknownValueSetError } from '../fhir/terminology';

/** Where data under a prefetch key came from, or why it could not be had. */
export type DataSource = 'prefetch' | 'fhirServer';
export type DataStatus = { available: true; source: DataSource } | { available: false; reason: string };

/** The terminology operations the clinical layer needs (implemented by src/fhir/terminology). */
export interface CodeMatcher {
  match(concept: CodeableConcept | Coding[] | undefined, valueSet: string): Coding | undefined;
  /** Ids of every ValueSet the coding belongs to. */
  valueSetsOf(coding: Coding): readonly string[];
  /** The id of a ValueSet named by id or canonical url; undefined when it is not loaded. */
  idOf(valueSet: string): string | undefined;
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
  observationComponents(valueSet: string): Array<Match<Observation> & { quantity: number; unit?: string }> {
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
        this.matching(
          this.procedureCodes(),
          this.data.procedures,
          (p) => p.status === 'completed' || p.status === 'in-progress',
          valueSet,
        ),
        procedureTime,
      ),
    );
  }

  /** Active (or on-hold) medication requests in a ValueSet. */
  activeMedications(valueSet: string): Match<MedicationRequest>[] {
    // Stryker disable next-line StringLiteral: a memo key; any value distinct from the others works
    return this.memo('medication', valueSet, () =>
      this.matching(
        this.medicationCodes(),
        this.data.medications,
        (m) => m.status === 'active' || m.status === 'on-hold',
        valueSet,
      ),
    );
  }

  /**
   * Active (or on-hold) requests whose medication is only a reference to a Medication resource that was not sent
   * with them: what they prescribe is unknown, which a medication check must say rather than read as "none".
   */
  unresolvedMedications(): MedicationRequest[] {
    // Stryker disable next-line StringLiteral: a memo key; any value distinct from the others works
    return this.memo('medication', '(unresolved)', () =>
      this.data.medications.filter(
        (m) => (m.status === 'active' || m.status === 'on-hold') && medicationConcept(m) === undefined,
      ),
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

/**
 * Where the codes of one kind of coded element (a resource's code, or an observation's components) fall: per
 * ValueSet id, the first matching coding of each element, in data order.
 */
class CodeIndex<T extends Resource, E extends Match<T>> {
  private readonly byValueSet = new Map<string, E[]>();
  /**
   * Resources whose coded elements could not be read at all (a component list that is not a list of objects):
   * every question that would have compared them fails, so the facts that need them become unknown.
   */
  private readonly failures: Array<{ resource: T; error: unknown }> = [];

  constructor(private readonly terminology: CodeMatcher) {}

  add(concept: CodeableConcept | undefined, entry: (coding: Coding) => E): void {
    const matched: string[] = [];
    for (const coding of codingsOf(concept)) {
      for (const id of this.terminology.valueSetsOf(coding)) {
        if (matched.includes(id)) continue;
        matched.push(id);
        const entries = this.byValueSet.get(id);
        if (entries) entries.push(entry(coding));
        else this.byValueSet.set(id, [entry(coding)]);
      }
    }
  }

  unreadable(resource: T, error: unknown): void {
    this.failures.push({ resource, error });
  }

  /** The elements in the ValueSet (none for an unknown one) among resources that `keep` accepts, in data order. */
  find(id: string | undefined, keep: (resource: T) => boolean): E[] {
    const failure = this.failures.find((candidate) => keep(candidate.resource));
    if (failure) throw failure.error;
    return id === undefined ? [] : (this.byValueSet.get(id) ?? []).filter((entry) => keep(entry.resource));
  }
}

/** Sorted newest first (undated as the epoch), stable; each date is parsed once, not once per comparison. */
function newestFirst<T extends Resource>(matches: Match<T>[], timeOf: (resource: T) => number | undefined): Match<T>[] {
  const times = new Map(matches.map((match) => [match, timeOf(match.resource) ?? 0]));
  return matches.sort((a, b) => (times.get(b) as number) - (times.get(a) as number));
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
  return condition.abatementString || condition.abatementAge || condition.abatementRange
    ? Number.NEGATIVE_INFINITY
    : undefined;
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
    observation.effectiveDateTime ??
      observation.effectivePeriod?.end ??
      observation.effectivePeriod?.start ??
      observation.effectiveInstant ??
      observation.issued,
  );
}

export function procedureTime(procedure: Procedure): number | undefined {
  return parseTime(procedure.performedDateTime ?? procedure.performedPeriod?.end ?? procedure.performedPeriod?.start);
}

/** When a condition began: onset, else the date it was recorded. */
export function onsetTime(condition: Condition): number | undefined {
  return parseTime(condition.onsetDateTime ?? condition.onsetPeriod?.start ?? condition.recordedDate);
}

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
