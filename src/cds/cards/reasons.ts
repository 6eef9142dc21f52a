import type { EvaluatedCondition } from '../../rules/evaluate';

/**
 * Comparisons that made the rule fire: every child of a satisfied `all`, only the satisfied children of an `any`,
 * nothing under `not`. A comparison that was true inside a group that failed (the "> -2.5" half of an osteopenia
 * range when the T-score is normal) explains nothing and must not be shown as a reason.
 */
export function reasonComparisons(condition: EvaluatedCondition): EvaluatedCondition[] {
  if (!holds(condition)) return [];
  if (condition.all) return condition.all.flatMap(reasonComparisons);
  if (condition.any) return condition.any.flatMap(reasonComparisons);
  if (condition.not) return [];
  return condition.fact ? [condition] : [];
}

/** Whether an evaluated condition was satisfied; a comparison the engine skipped was not. */
function holds(condition: EvaluatedCondition): boolean {
  if (typeof condition.result === 'boolean') return condition.result;
  if (condition.all) return condition.all.every(holds);
  if (condition.any) return condition.any.some(holds);
  if (condition.not) return !holds(condition.not);
  return false;
}
