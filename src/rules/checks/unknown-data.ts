import { forEachLeaf, OPERATORS } from '../condition-tree';
import type { RuleCheck } from './rule-check';

/**
 * Refuses conditions that hold when a fact is not known: a numeric comparison under `not` (unknown makes the
 * comparison false, so the `not` true), and notEqual / notIn. Missing data must never read as normal.
 */
export const checkUnknownData: RuleCheck = (spec, _context, report) => {
  forEachLeaf(
    spec.when,
    ({ fact, operator }, { path, negated }) => {
      if (negated && OPERATORS[operator].kind === 'numeric') {
        report(
          path,
          'true-when-unknown',
          `"not" around "${fact} ${operator} …" is also true when ${fact} is not known; ` +
            'compare the other way and say what unknown means ' +
            `(e.g. any of: "${fact} lessThan …", "${fact} equal null")`,
        );
      }
      if (OPERATORS[operator].trueWhenUnknown)
        report(
          `${path}.operator`,
          'true-when-unknown',
          `${operator} is also true when ${fact} is not known; use equal or in with the values you mean`,
        );
    },
    { path: 'when', negated: false },
  );
};
