import type { Fact } from '../../clinical/fact';
import { FACT_DEFINITIONS } from '../../clinical/facts';

/** A fact as a clinician reads it: "8", "yes", "none recorded", or "not known (why)". */
export function formatFact(id: string, fact: Fact | undefined): string {
  const definition = FACT_DEFINITIONS.get(id);
  if (!fact) return 'not computed';
  const absent = definition?.absentText ?? 'no';
  const { value } = fact;
  if (value === null) return fact.missing ? `not known (${fact.missing})` : absent;
  if (typeof value === 'boolean') return value ? 'yes' : absent;
  if (Array.isArray(value)) return value.length > 0 ? value.join(', ') : absent;
  return definition?.unit ? `${value} ${definition.unit}` : String(value);
}

export const factLabel = (id: string): string => FACT_DEFINITIONS.get(id)?.label ?? id;

const OPERATOR_WORDS: Record<string, string> = {
  lessThan: '<',
  lessThanInclusive: '≤',
  greaterThan: '>',
  greaterThanInclusive: '≥',
  in: 'one of',
  notIn: 'not one of',
};

/** "≥ 7" for a threshold comparison; nothing for equality tests, whose fact value already says it. */
export function thresholdText(operator: string | undefined, value: unknown): string | undefined {
  const word = operator ? OPERATOR_WORDS[operator] : undefined;
  if (!word) return undefined;
  return `${word} ${Array.isArray(value) ? value.join(', ') : String(value)}`;
}
