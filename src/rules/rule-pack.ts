import type { HookName } from '../cds/protocol/hooks';
import type { Coding } from '@medplum/fhirtypes';
import type { ParameterValues } from '../clinical/facts';
import type { ConditionTree, Operator } from './condition-tree';

/** The shapes of rules/*.json, as described by rules/schema/rule-pack.schema.json. */

export type ComparisonValue =
  string | number | boolean | null | Array<string | number | boolean> | { param: string } | { fact: string };

export interface Comparison {
  fact: string;
  operator: Operator;
  value: ComparisonValue;
}

export type RuleCondition = ConditionTree<Comparison>;

export type CardKind = 'red-flag' | 'contraindication' | 'step' | 'advice';

export interface SuggestionSpec {
  label: string;
  isRecommended?: boolean;
  /** Order ValueSet id: creates a draft ServiceRequest coded with the ValueSet's first code. */
  order?: string;
  /** Modality whose draft orders in this hook call the suggestion deletes. */
  remove?: string;
  /** FHIR request priority of the created order: an emergency card must not propose a routine order. */
  priority?: 'routine' | 'urgent' | 'asap' | 'stat';
}

export interface CardSpec {
  kind: CardKind;
  modality?: string;
  indicator: 'info' | 'warning' | 'critical';
  summary: string;
  detail: string;
  evidence: { statement: string; strength: string };
  source: { label: string; url: string };
  checks?: string[];
  suppresses?: string[];
  suggestions?: SuggestionSpec[];
  /** CDS Hooks: may the clinician take one suggestion (`at-most-one`, the default) or several (`any`)? */
  selectionBehavior?: 'at-most-one' | 'any';
  overrideReasons?: string;
  /** Gathered, as one item, into the card group of that name (rules/shared.json, `cardGroups`). */
  group?: CardGroupMembership;
}

export interface CardGroupMembership {
  name: string;
  /** What the item is about, listed in the group card's summary. */
  item: string;
  /** The patient finding that makes the item apply. */
  reason: string;
}

/** A card that gathers the cards of several rules (rules/shared.json, `cardGroups`). */
export interface CardGroupSpec {
  description: string;
  hooks: HookName[];
  indicator: CardSpec['indicator'];
  /** With `{{items}}`, the list of the items' names. */
  summary: string;
  detail: string;
  source: CardSpec['source'];
  overrideReasons?: string;
}

export interface RuleSpec {
  name: string;
  description: string;
  hooks?: HookName[];
  when: RuleCondition;
  card: CardSpec;
}

export interface RulePack {
  pack: string;
  title: string;
  description?: string;
  rules: RuleSpec[];
}

export interface ParameterSpec {
  value: number | string | boolean;
  description: string;
  source: string;
  unit?: string;
}

export interface ParametersFile {
  parameters: Record<string, ParameterSpec>;
}

export interface OverrideReasonsFile {
  system: string;
  sets: Record<string, Array<{ code: string; display: string }>>;
}

/** A rule ready to evaluate: its pack, its position (for stable ordering) and its spec. */
export interface LoadedRule {
  pack: string;
  position: number;
  spec: RuleSpec;
}

export interface OverrideReasons {
  [set: string]: Coding[];
}

export const isComparison = (condition: RuleCondition): condition is Comparison => 'fact' in condition;

export const isParameterReference = (value: ComparisonValue): value is { param: string } =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && 'param' in value;

export const isFactReference = (value: ComparisonValue): value is { fact: string } =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && 'fact' in value;

export function parameterValues(file: ParametersFile): ParameterValues {
  return Object.fromEntries(Object.entries(file.parameters).map(([name, spec]) => [name, spec.value]));
}
