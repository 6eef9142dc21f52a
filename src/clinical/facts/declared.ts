import type { Resource } from '@medplum/fhirtypes';
import { citeCondition, citeProcedure } from '../citations';
import { known, notKnown, type Citation, type Fact } from '../computed-fact';
import type { Match } from '../code-index';
import { onsetTime, procedureTime } from '../fhir-time';
import type { PatientRecord } from '../patient-record';
import { daysValue, uniqueCitations, type DaysSpec, type FactContext, type FactDefinition } from './definition';
import { medicationUse } from './history';
import { latestReading } from './measurements';

/**
 * Facts an informaticist declares in rules/facts.json (schema: rules/schema/facts.schema.json). Each reads the
 * record through the same readers as the built-in facts, so status rules, missing data and citations are the same.
 */
interface DeclaredFactBase {
  label: string;
  description?: string;
  valueSets: string[];
}

/** Any Condition in the ValueSets: active ones, or with `includeHistory` also inactive, in remission or resolved. */
export interface DeclaredConditionFact extends DeclaredFactBase {
  from: 'Condition';
  /** Only conditions whose onset (else recorded date) is at most this many days ago. */
  withinDays?: DaysSpec;
  includeHistory?: boolean;
}

/** Any active or on-hold MedicationRequest in the ValueSets. */
export interface DeclaredMedicationFact extends DeclaredFactBase {
  from: 'MedicationRequest';
}

/** The latest Observation value in the ValueSets (value or panel component), in `unit`, at most `withinDays` old. */
export interface DeclaredObservationFact extends DeclaredFactBase {
  from: 'Observation';
  withinDays: DaysSpec;
  unit: string;
  /** Plausible values; readings outside are left out, and the missing-data note says so. */
  range?: [number, number];
}

/** Any completed or in-progress Procedure in the ValueSets, optionally performed at most `withinDays` ago. */
export interface DeclaredProcedureFact extends DeclaredFactBase {
  from: 'Procedure';
  withinDays?: DaysSpec;
}

export type DeclaredFact =
  DeclaredConditionFact | DeclaredMedicationFact | DeclaredObservationFact | DeclaredProcedureFact;

/** The fact definition a declaration stands for. */
export function declaredFactDefinition(id: string, declared: DeclaredFact): FactDefinition {
  const { label } = declared;
  switch (declared.from) {
    case 'Condition':
      return { id, label, type: 'boolean', absentText: 'none recorded', compute: conditionFact(declared) };
    case 'MedicationRequest':
      return {
        id,
        label,
        type: 'boolean',
        absentText: 'none recorded',
        // Stryker disable next-line ArrayDeclaration: it counts no conditions; a filler ValueSet name matches none
        compute: medicationUse([], declared.valueSets),
      };
    case 'Observation':
      return {
        id,
        label,
        type: 'number',
        unit: declared.unit,
        observationValueSets: declared.valueSets,
        compute: (record, context) =>
          latestReading(record, context, declared.valueSets, {
            maxAgeDays: declared.withinDays,
            unit: declared.unit,
            ...(declared.range ? { range: declared.range } : {}),
          }),
      };
    case 'Procedure':
      return { id, label, type: 'boolean', absentText: 'none recorded', compute: procedureFact(declared) };
  }
}

function conditionFact(declared: DeclaredConditionFact) {
  return (record: PatientRecord, context: FactContext): Fact => {
    const matches = declared.valueSets.flatMap((valueSet) =>
      declared.includeHistory ? record.anyConditions(valueSet) : record.activeConditions(valueSet),
    );
    return withinWindow(
      record,
      context,
      matches,
      onsetTime,
      citeCondition,
      declared.withinDays,
      'onset or recorded date',
    );
  };
}

function procedureFact(declared: DeclaredProcedureFact) {
  return (record: PatientRecord, context: FactContext): Fact => {
    if (!record.isAvailable('procedures'))
      return notKnown(`procedure history not available: ${record.unavailableReason('procedures')}`);
    const matches = declared.valueSets.flatMap((valueSet) => record.procedures(valueSet));
    return withinWindow(record, context, matches, procedureTime, citeProcedure, declared.withinDays, 'date performed');
  };
}

/**
 * Is any match dated within the window (or, without a window, is there any match)? A match without a date may be
 * inside the window: when no dated one is, the answer is unknown, never "no".
 */
function withinWindow<T extends Resource>(
  record: PatientRecord,
  context: FactContext,
  matches: Match<T>[],
  timeOf: (resource: T) => number | undefined,
  cite: (match: Match<T>) => Citation,
  window: DaysSpec | undefined,
  /** What the record would be dated by, for the missing-data note. */
  dateWord: string,
): Fact {
  if (window === undefined) return known(matches.length > 0, uniqueCitations(matches.map(cite)));
  const days = daysValue(window, context);
  const inside = matches.filter((match) => {
    const time = timeOf(match.resource);
    return time !== undefined && record.daysSince(time) <= days;
  });
  if (inside.length > 0) return known(true, uniqueCitations(inside.map(cite)));
  const undated = matches.filter((match) => timeOf(match.resource) === undefined);
  if (undated.length > 0)
    return notKnown(
      `${undated.length} matching record(s) with no ${dateWord}: may be within the last ${days} days`,
      uniqueCitations(undated.map(cite)),
    );
  return known(false);
}
