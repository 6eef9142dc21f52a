import type { FileProblem } from '../../json-file';
import type { RuleSpec } from '../rule-pack';
import { checkCardPlaceholders } from './card-placeholders';
import { checkCardReferences } from './card-references';
import { checkComparisonTypes } from './comparison-types';
import { checkModalityNames } from './modality-names';
import { runRuleChecks, type RuleCheckContext } from './rule-check';
import { checkUnknownData } from './unknown-data';
import { checkUnits } from './units';

export type { RuleCheckContext } from './rule-check';
export { checkParameterTypes } from './parameter-types';

/** Every load-time check of one rule, in the order their problems are listed. */
export function checkRule(spec: RuleSpec, context: RuleCheckContext): FileProblem[] {
  return runRuleChecks(
    [
      checkComparisonTypes,
      checkUnits,
      checkModalityNames,
      checkUnknownData,
      checkCardReferences,
      checkCardPlaceholders,
    ],
    spec,
    context,
  );
}
