import { forEachLeaf } from '../condition-tree';
import { isFactReference, isParameterReference } from '../rule-pack';
import type { RuleCheck } from './rule-check';

/**
 * A fact compared with a parameter or another fact is in the same unit as it (when both state one): a declared
 * observation in mmol/L against a threshold in mg/dL would compare numbers that mean different things.
 */
export const checkUnits: RuleCheck = (spec, context, report) => {
  const { facts, parameterSpecs } = context;
  if (!facts) return;
  forEachLeaf(
    spec.when,
    ({ fact, value }, { path }) => {
      const unit = facts.get(fact)?.unit;
      if (unit === undefined) return;
      if (isParameterReference(value) && parameterSpecs && Object.hasOwn(parameterSpecs, value.param)) {
        const other = parameterSpecs[value.param].unit;
        if (other !== undefined && other !== unit)
          report(
            `${path}.value.param`,
            'type-mismatch',
            `parameter "${value.param}" is in ${other} but "${fact}" is in ${unit}`,
          );
      }
      if (isFactReference(value)) {
        const other = facts.get(value.fact)?.unit;
        if (other !== undefined && other !== unit)
          report(`${path}.value.fact`, 'type-mismatch', `"${value.fact}" is in ${other} but "${fact}" is in ${unit}`);
      }
    },
    { path: 'when', negated: false },
  );
};
