import type { FileProblemCode } from '../../file-problem-codes';
import type { FactCatalogue } from '../../clinical/facts';
import type { FileProblem } from '../../json-file';
import type { Terminology } from '../../fhir/terminology';
import type { OverrideReasons, ParametersFile, RuleSpec } from '../rule-pack';

/** What a load-time check may look up besides the rule itself. */
export interface RuleCheckContext {
  file: string;
  rule: string;
  index: number;
  // Each of the following is undefined when its file did not load: that file's own problem is the root cause, so
  // references into it are not reported again.
  parameterSpecs: ParametersFile['parameters'] | undefined;
  overrideReasons: OverrideReasons | undefined;
  terminology: Terminology | undefined;
  /** Every rule name in the set (also of packs that fail their schema); undefined when a pack is not even JSON. */
  ruleNames: ReadonlySet<string> | undefined;
  /** Built-in and declared facts; undefined when rules/facts.json did not load. */
  facts: FactCatalogue | undefined;
  /** The modalities draft orders can have (rules/shared.json `orderModalities`). */
  modalities: ReadonlySet<string> | undefined;
}

/** Reports a problem at a path inside the rule (`when.all[0].value`). */
export type ReportAt = (pathInRule: string, code: FileProblemCode, message: string) => void;

/** One thing the JSON Schema cannot know about a rule; each check lives in its own module beside this one. */
export type RuleCheck = (spec: RuleSpec, context: RuleCheckContext, report: ReportAt) => void;

/** Runs the checks over one rule and returns its problems, each naming file, rule and path. */
export function runRuleChecks(checks: RuleCheck[], spec: RuleSpec, context: RuleCheckContext): FileProblem[] {
  const problems: FileProblem[] = [];
  const report: ReportAt = (pathInRule, code, message) =>
    problems.push({
      file: context.file,
      rule: context.rule,
      path: `rules[${context.index}].${pathInRule}`,
      code,
      message,
    });
  for (const check of checks) check(spec, context, report);
  return problems;
}
