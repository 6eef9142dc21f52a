import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FACT_DEFINITIONS, REQUIRED_PARAMETERS, type Parameters } from '../clinical/facts';
import { loadTerminology, TerminologyLoadError, type Terminology } from '../fhir/terminology';
import { listJsonFiles, readJsonFile, type FileProblem } from '../json-file';
import {
  isComparison,
  isFactReference,
  isParameterReference,
  parameterValues,
  type Comparison,
  type Condition,
  type LoadedRule,
  type OverrideReasons,
  type OverrideReasonsFile,
  type ParametersFile,
  type RulePack,
} from './rule-pack';
import { fillParameters, PARAMETER_PREFIX, placeholderNames } from './placeholders';
import { schemaProblems } from './schema-check';
import { expandRule, nestedSharedReferences, type ContraindicationStatements, type SharedFile, type WrittenRule } from './shared-definitions';

/** Everything one evaluation needs, loaded and checked together so a reload swaps it as one piece. */
export interface RuleSet {
  /** Content hash of every rule, parameter and ValueSet file: which rule set produced a response. */
  version: string;
  packs: RulePack[];
  rules: LoadedRule[];
  parameters: Parameters;
  parameterSpecs: ParametersFile['parameters'];
  overrideReasons: OverrideReasons;
  terminology: Terminology;
  statements: ContraindicationStatements;
}

export class RuleSetError extends Error {
  constructor(readonly problems: FileProblem[]) {
    super(`The rule set has ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'RuleSetError';
  }
}

export function formatProblem(problem: FileProblem): string {
  const where = [problem.file, problem.rule ? `rule "${problem.rule}"` : undefined, problem.path || undefined].filter(Boolean).join(' › ');
  return `- ${where}: ${problem.message}`;
}

const NUMERIC_OPERATORS = new Set(['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive']);
const LIST_OPERATORS = new Set(['in', 'notIn']);

/** Loads rules/packs/*.json, rules/parameters.json, rules/override-reasons.json, rules/shared.json and the ValueSets; all or nothing. */
export function loadRuleSet(rulesDir: string, valueSetsDir: string): RuleSet {
  const problems: FileProblem[] = [];
  const relative = (file: string) => path.relative(path.dirname(rulesDir), file);

  const parametersFile = readChecked<ParametersFile>(path.join(rulesDir, 'parameters.json'), 'parameters', relative, problems);
  const reasonsFile = readChecked<OverrideReasonsFile>(path.join(rulesDir, 'override-reasons.json'), 'override-reasons', relative, problems);
  const packFiles = listJsonFiles(path.join(rulesDir, 'packs'));
  if (packFiles.length === 0) problems.push({ file: relative(path.join(rulesDir, 'packs')), path: '', message: 'contains no rule pack (*.json)' });
  const sharedPath = path.join(rulesDir, 'shared.json');
  const shared = readChecked<SharedFile>(sharedPath, 'shared', relative, problems);
  if (shared) problems.push(...nestedSharedReferences(shared).map((p) => ({ file: relative(sharedPath), ...p })));
  const packs = packFiles.map((file) => {
    const written = readChecked<WrittenPack>(file, 'rule-pack', relative, problems);
    return { file, pack: written && shared ? expandPack(written, shared, relative(file), problems) : undefined };
  });

  const codeSystemDir = path.join(path.dirname(valueSetsDir), 'codesystems');
  let terminology: Terminology | undefined;
  try {
    terminology = loadTerminology(valueSetsDir, fs.existsSync(codeSystemDir) ? { codeSystemDir } : {});
  } catch (error) {
    if (!(error instanceof TerminologyLoadError)) throw error;
    problems.push(...error.problems.map((p) => ({ ...p, file: relative(path.join(valueSetsDir, p.file)) })));
  }

  const parameterSpecs = parametersFile?.parameters ?? {};
  for (const name of REQUIRED_PARAMETERS) {
    if (parametersFile && !(name in parameterSpecs)) {
      problems.push({ file: relative(path.join(rulesDir, 'parameters.json')), path: `parameters.${name}`, message: 'is missing; the fact computations need it' });
    }
  }
  const overrideReasons: OverrideReasons = Object.fromEntries(
    Object.entries(reasonsFile?.sets ?? {}).map(([name, reasons]) => [name, reasons.map((r) => ({ system: reasonsFile!.system, ...r }))]),
  );

  const rules: LoadedRule[] = [];
  const firstFileOfRule = new Map<string, string>();
  for (const { file, pack } of packs) {
    if (!pack) continue;
    pack.rules.forEach((spec, index) => {
      const where = { file: relative(file), rule: spec.name };
      const previous = firstFileOfRule.get(spec.name);
      if (previous) problems.push({ ...where, path: `rules[${index}].name`, message: `is already used by a rule in ${previous}; rule names must be unique` });
      firstFileOfRule.set(spec.name, relative(file));
      rules.push({ pack: pack.pack, position: rules.length, spec });
    });
  }
  for (const { file, pack } of packs) {
    pack?.rules.forEach((spec, index) => {
      const context: RuleCheckContext = { file: relative(file), rule: spec.name, index, parameterSpecs, overrideReasons, terminology, ruleNames: firstFileOfRule };
      problems.push(...checkRule(spec, context));
    });
  }

  if (problems.length > 0 || !terminology || !parametersFile || !reasonsFile || !shared) throw new RuleSetError(problems);
  return {
    version: contentVersion([
      { root: rulesDir, files: [...packFiles, path.join(rulesDir, 'parameters.json'), path.join(rulesDir, 'override-reasons.json'), sharedPath] },
      { root: path.dirname(valueSetsDir), files: [...listJsonFiles(valueSetsDir), ...listJsonFiles(codeSystemDir)] },
    ]),
    packs: packs.map(({ pack }) => pack as RulePack),
    rules,
    parameters: parameterValues(parametersFile),
    parameterSpecs,
    overrideReasons,
    terminology,
    statements: shared.statements,
  };
}

type WrittenPack = Omit<RulePack, 'rules'> & { rules: WrittenRule[] };

function expandPack(written: WrittenPack, shared: SharedFile, file: string, problems: FileProblem[]): RulePack {
  const rules = written.rules.map((rule, index) => {
    const { spec, unknown } = expandRule(rule, shared);
    problems.push(...unknown.map((p) => ({ file, rule: rule.name, path: `rules[${index}].${p.path}`, message: p.message })));
    return spec;
  });
  return { ...written, rules };
}

function readChecked<T>(
  file: string,
  schema: string,
  relative: (file: string) => string,
  problems: FileProblem[],
): T | undefined {
  const { value, problem } = readJsonFile(file, relative(file));
  if (problem) {
    problems.push(problem);
    return undefined;
  }
  const found = schemaProblems(schema, value, relative(file));
  problems.push(...found);
  return found.length === 0 ? (value as T) : undefined;
}

/**
 * A hash of the files' contents under their names relative to their folder: the same rules give the same version
 * wherever they are installed (a laptop, a container, a Kubernetes ConfigMap).
 */
function contentVersion(folders: Array<{ root: string; files: string[] }>): string {
  const hash = createHash('sha256');
  const named = folders.flatMap(({ root, files }) => files.map((file) => ({ file, name: path.relative(root, file) })));
  for (const { file, name } of named.sort((a, b) => a.name.localeCompare(b.name))) hash.update(name).update('\0').update(fs.readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 12);
}

interface RuleCheckContext {
  file: string;
  rule: string;
  index: number;
  parameterSpecs: ParametersFile['parameters'];
  overrideReasons: OverrideReasons;
  terminology: Terminology | undefined;
  ruleNames: Map<string, string>;
}

/** What the schema cannot know: parameters, ValueSets, override sets and rule names that must exist. */
function checkRule(spec: RulePack['rules'][number], context: RuleCheckContext): FileProblem[] {
  const problems: FileProblem[] = [];
  const at = (pathInRule: string, message: string) =>
    problems.push({ file: context.file, rule: context.rule, path: `rules[${context.index}].${pathInRule}`, message });

  walkComparisons(spec.when, 'when', (comparison, where) => {
    const fact = FACT_DEFINITIONS.get(comparison.fact);
    const { value } = comparison;
    if (isParameterReference(value)) {
      const parameter = context.parameterSpecs[value.param];
      if (!parameter) at(`${where}.value.param`, `parameter "${value.param}" is not defined in rules/parameters.json`);
      else if (NUMERIC_OPERATORS.has(comparison.operator) && typeof parameter.value !== 'number') {
        at(`${where}.value.param`, `parameter "${value.param}" must be a number to be compared with ${comparison.operator}`);
      }
    } else if (NUMERIC_OPERATORS.has(comparison.operator) && !isFactReference(value) && typeof value !== 'number') {
      at(`${where}.value`, `must be a number (or a parameter) for ${comparison.operator}`);
    }
    if (NUMERIC_OPERATORS.has(comparison.operator) && fact && fact.type !== 'number') {
      at(`${where}.fact`, `"${comparison.fact}" is a ${fact.type}, so ${comparison.operator} can never be true`);
    }
    if (LIST_OPERATORS.has(comparison.operator) && !Array.isArray(value)) at(`${where}.value`, `must be a list for ${comparison.operator}`);
    if ((comparison.operator === 'contains' || comparison.operator === 'doesNotContain') && fact && fact.type !== 'list') {
      at(`${where}.fact`, `"${comparison.fact}" is not a list, so ${comparison.operator} does not apply`);
    }
  });
  for (const { comparison, where } of comparisonsUnderNot(spec.when, 'when', false)) {
    at(where, `"not" around "${comparison.fact} ${comparison.operator} …" is also true when ${comparison.fact} is not known; compare the other way and say what unknown means (e.g. any of: "${comparison.fact} lessThan …", "${comparison.fact} equal null")`);
  }
  walkComparisons(spec.when, 'when', (comparison, where) => {
    if (comparison.operator === 'notEqual' || comparison.operator === 'notIn') {
      at(`${where}.operator`, `${comparison.operator} is also true when ${comparison.fact} is not known; use equal or in with the values you mean`);
    }
  });
  spec.card.suggestions?.forEach((suggestion, i) => {
    if (suggestion.order && context.terminology && !context.terminology.has(suggestion.order)) {
      at(`card.suggestions[${i}].order`, `ValueSet "${suggestion.order}" does not exist in fhir-profiles/valuesets`);
    }
  });
  if (spec.card.overrideReasons && !context.overrideReasons[spec.card.overrideReasons]) {
    at('card.overrideReasons', `set "${spec.card.overrideReasons}" is not defined in rules/override-reasons.json`);
  }
  spec.card.suppresses?.forEach((target, i) => {
    const rule = /^rule:(.+)$/.exec(target)?.[1];
    if (rule && !context.ruleNames.has(rule)) at(`card.suppresses[${i}]`, `no rule is named "${rule}"`);
  });
  for (const name of placeholderNames(spec.card.detail)) {
    const isParameter = name.startsWith(PARAMETER_PREFIX);
    const known = isParameter ? name.slice(PARAMETER_PREFIX.length) in context.parameterSpecs : FACT_DEFINITIONS.has(name);
    if (!known) at('card.detail', `{{${name}}} names no ${isParameter ? 'parameter' : 'fact'}`);
  }
  for (const name of placeholderNames(spec.card.summary)) {
    if (!name.startsWith(PARAMETER_PREFIX) || !(name.slice(PARAMETER_PREFIX.length) in context.parameterSpecs)) {
      at('card.summary', `{{${name}}}: a summary may only name parameters ({{param.name}}) that exist`);
    }
  }
  const values = Object.fromEntries(Object.entries(context.parameterSpecs).map(([name, parameter]) => [name, parameter.value]));
  const summaryLength = fillParameters(spec.card.summary, values).length;
  if (summaryLength >= 140) at('card.summary', `is ${summaryLength} characters once parameters are filled in; it must stay under 140`);
  return problems;
}

/** Numeric comparisons under a `not`: unknown facts make them false, so the `not` makes them true. */
function comparisonsUnderNot(condition: Condition, where: string, negated: boolean): Array<{ comparison: Comparison; where: string }> {
  if (isComparison(condition)) return negated && NUMERIC_OPERATORS.has(condition.operator) ? [{ comparison: condition, where }] : [];
  if ('all' in condition) return condition.all.flatMap((child, i) => comparisonsUnderNot(child, `${where}.all[${i}]`, negated));
  if ('any' in condition) return condition.any.flatMap((child, i) => comparisonsUnderNot(child, `${where}.any[${i}]`, negated));
  return comparisonsUnderNot(condition.not, `${where}.not`, !negated);
}

export function walkComparisons(condition: Condition, where: string, visit: (comparison: Extract<Condition, { fact: string }>, where: string) => void): void {
  if (isComparison(condition)) visit(condition, where);
  else if ('all' in condition) condition.all.forEach((child, i) => walkComparisons(child, `${where}.all[${i}]`, visit));
  else if ('any' in condition) condition.any.forEach((child, i) => walkComparisons(child, `${where}.any[${i}]`, visit));
  else walkComparisons(condition.not, `${where}.not`, visit);
}
