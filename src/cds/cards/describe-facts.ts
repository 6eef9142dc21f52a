import type { Fact } from '../../clinical/computed-fact';
import type { FactCatalogue, ParameterValues } from '../../clinical/facts';
import { fillParameters } from '../../rules/placeholders';
import { numericSymbol } from '../../rules/condition-tree';

/** A fact as a clinician reads it: "8", "yes", "none recorded", or "not known (why)". */
export function formatFact(id: string, fact: Fact | undefined, catalogue: FactCatalogue): string {
  const definition = catalogue.get(id);
  if (!fact) return 'not computed';
  const absent = definition?.absentText ?? 'no';
  const { value } = fact;
  if (value === null) return fact.missing ? `not known (${fact.missing})` : absent;
  if (typeof value === 'boolean') return value ? 'yes' : absent;
  if (Array.isArray(value)) return value.length > 0 ? value.join(', ') : absent;
  return definition?.unit ? `${value} ${definition.unit}` : String(value);
}

/** How a fact reads, with the thresholds it names filled in from the live parameters ({{param.x}}). */
export const factLabel = (id: string, parameters: ParameterValues, catalogue: FactCatalogue): string =>
  fillParameters(catalogue.get(id)?.label ?? id, parameters);

/**
 * "≥ 7" for a threshold comparison, "subacute or chronic" / "not acute" for a list; nothing for equality tests,
 * whose fact value already says it.
 */
export function thresholdText(operator: string | undefined, value: unknown): string | undefined {
  if (operator === 'in' || operator === 'notIn') {
    const values = (Array.isArray(value) ? value : [value]).map(String);
    const list =
      values.length > 1 ? `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}` : values.join('');
    return operator === 'in' ? list : `not ${list}`;
  }
  const word = numericSymbol(operator);
  return word ? `${word} ${String(value)}` : undefined;
}
