import type { Condition } from '@medplum/fhirtypes';
import { citeCondition } from '../citations';
import { known, type Fact, type Facts, type FactType } from '../computed-fact';
import type { Match } from '../code-index';
import type { PatientRecord } from '../patient-record';

/** Thresholds and settings from rules/parameters.json (shared by facts and rules). */
export type ParameterValues = Record<string, number | string | boolean>;

/** A draft order of the hook call that belongs to a modality: a pathway treatment or a drug class. */
export interface DraftOrder {
  modality: string;
  /** Relative reference used by delete suggestions, e.g. `ServiceRequest/abc`; absent when the draft has no id. */
  reference?: string;
  display: string;
  /**
   * How a product its drug-class ValueSet does not list was recognised, e.g. `ingredient name: oxycodone`; absent
   * when the code itself is listed.
   */
  recognisedBy?: string;
}

/** ValueSet lists the fact computations read (rules/shared.json, `valueSetLists`); the rule set must define them. */
export const REQUIRED_VALUESET_LISTS = ['backPainEpisode', 'structuralBackPain'] as const;

export type ValueSetLists = Readonly<Record<(typeof REQUIRED_VALUESET_LISTS)[number], readonly string[]>>;

export interface FactContext {
  parameters: ParameterValues;
  valueSetLists: ValueSetLists;
  hook: string;
  /** Draft orders the hook call is about: the selections for order-select, every draft for order-sign. */
  orders: DraftOrder[];
}

export interface FactDefinition {
  id: string;
  /** How the fact reads on a card and in explanations, e.g. "Latest pain score (0–10)". */
  label: string;
  type: FactType;
  unit?: string;
  /** How `false` (or `null` without a missing reason) reads: e.g. "none recorded" for coded conditions. */
  absentText?: string;
  /** ValueSets whose Observations the fact reads: the observations prefetch asks for their codes. */
  observationValueSets?: readonly string[];
  /** `computed`: the facts listed before this one, for facts about other facts (unchecked.ts). */
  compute(record: PatientRecord, context: FactContext, computed?: Facts): Fact;
}

/** Every fact the rules of one rule set may use, by id: the built-in ones and those declared in rules/facts.json. */
export type FactCatalogue = ReadonlyMap<string, FactDefinition>;

export function numberParameter(context: FactContext, name: string): number {
  const value = context.parameters[name];
  if (typeof value !== 'number') throw new Error(`parameter ${name} must be a number`);
  return value;
}

/** A number of days, written as a number or as a parameter of rules/parameters.json. */
export type DaysSpec = number | { param: string };

export const daysValue = (days: DaysSpec, context: FactContext): number =>
  typeof days === 'number' ? days : numberParameter(context, days.param);

export function activeConditionsIn(record: PatientRecord, valueSets: readonly string[]): Match<Condition>[] {
  return valueSets.flatMap((valueSet) => record.activeConditions(valueSet));
}

/** A boolean fact: is any active condition coded in one of these ValueSets? Cites every match. */
export function activeCondition(id: string, label: string, valueSets: string[]): FactDefinition {
  return {
    id,
    label,
    type: 'boolean',
    absentText: 'none recorded',
    compute: (record) => {
      const matches = activeConditionsIn(record, valueSets);
      return known(matches.length > 0, uniqueCitations(matches.map(citeCondition)));
    },
  };
}

export function uniqueCitations<T extends { reference?: string; text: string }>(citations: T[]): T[] {
  const seen = new Set<string>();
  return citations.filter((citation) => {
    const key = citation.reference ?? citation.text;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
