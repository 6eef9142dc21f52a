import fs from 'node:fs';
import path from 'node:path';
import { REQUIRED_PARAMETERS, type FactCatalogue, type ParameterValues, type ValueSetLists } from '../clinical/facts';
import type { OrderModality } from '../clinical/draft-orders';
import { loadTerminology, TerminologyLoadError, type Terminology } from '../fhir/terminology';
import type { FileProblem } from '../json-file';
import {
  parameterValues,
  type CardGroupSpec,
  type LoadedRule,
  type OverrideReasons,
  type OverrideReasonsFile,
  type ParametersFile,
  type RulePack,
} from './rule-pack';
import { checkParameterTypes, checkRule, type RuleCheckContext } from './checks';
import { unknownFactsInRule, unknownFactsInShared } from './checks/fact-names';
import { checkValueSetLists } from './checks/valueset-lists';
import { checkDeclaredFacts, type FactsFile } from './declared-facts';
import { layeredParameters, readChecked, readDeclaredFacts, readValidated, ruleNamesIn } from './rule-files';
import { cardGroupProblems } from './checks/card-groups';
import { DEFAULT_PROFILE, profileFiles } from './profiles';
import { fileHashes, versionOf } from './rule-set-version';
import {
  expandRule,
  valueSetListsOf,
  nestedSharedReferences,
  type ContraindicationStatements,
  type SharedFile,
  type WrittenRule,
} from './shared-definitions';

/** Everything one evaluation needs, loaded and checked together so a reload swaps it as one piece. */
export interface RuleSet {
  /** The rule profile this set was loaded for (src/rules/profiles.ts). */
  profile: string;
  /** Content hash of every rule, parameter and ValueSet file: which rule set produced a response. */
  version: string;
  /** Each file's content hash by relative name, to say which files a reload changed. */
  fileHashes: Record<string, string>;
  packs: RulePack[];
  rules: LoadedRule[];
  parameters: ParameterValues;
  parameterSpecs: ParametersFile['parameters'];
  overrideReasons: OverrideReasons;
  terminology: Terminology;
  statements: ContraindicationStatements;
  /** Built-in facts and those declared in rules/facts.json: what the rules may name and what a hook call computes. */
  facts: FactCatalogue;
  /** The declarations of rules/facts.json as written (for the catalogue page). */
  declaredFacts: FactsFile['facts'];
  /** Cards gathering the cards of several rules, by name. */
  cardGroups: Record<string, CardGroupSpec>;
  /** The ValueSet lists the facts read (rules/shared.json). */
  valueSetLists: ValueSetLists;
  /** Which order ValueSet makes a draft order belong to which modality (rules/shared.json). */
  orderModalities: readonly OrderModality[];
}

export class RuleSetError extends Error {
  constructor(readonly problems: FileProblem[]) {
    super(`The rule set has ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'RuleSetError';
  }
}

export function formatProblem(problem: FileProblem): string {
  const where = [problem.file, problem.rule ? `rule "${problem.rule}"` : undefined, problem.path || undefined]
    .filter(Boolean)
    .join(' › ');
  return `- ${where}: ${problem.message}`;
}

/**
 * Loads rules/packs/*.json, rules/parameters.json, rules/override-reasons.json, rules/shared.json and the ValueSets,
 * with the packs and parameters of a rule profile on top; all or nothing.
 */
export function loadRuleSet(rulesDir: string, valueSetsDir: string, rulesProfile = DEFAULT_PROFILE): RuleSet {
  const source = { rulesDir, valueSetsDir, rulesProfile };
  // Files can change while they are read (a git checkout, an editor's save): read again until the hashes taken
  // before and after agree, so a version never names content other than what was loaded.
  for (let attempt = 1; ; attempt++) {
    const hashes = fileHashes(source);
    const ruleSet = readRuleSet(rulesDir, valueSetsDir, rulesProfile, hashes);
    if (attempt >= MAX_READ_ATTEMPTS || versionOf(fileHashes(source)) === ruleSet.version) return ruleSet;
  }
}

const MAX_READ_ATTEMPTS = 3;

function readRuleSet(rulesDir: string, valueSetsDir: string, profile: string, hashes: Record<string, string>): RuleSet {
  const problems: FileProblem[] = [];
  const relative = (file: string) => path.relative(path.dirname(rulesDir), file);
  const { packFiles, parameterFiles } = profileFiles(rulesDir, profile);

  const parametersFile = layeredParameters(
    parameterFiles.map((file) => readChecked<ParametersFile>(file, 'parameters', relative, problems)),
  );
  const reasonsFile = readChecked<OverrideReasonsFile>(
    path.join(rulesDir, 'override-reasons.json'),
    'override-reasons',
    relative,
    problems,
  );
  if (packFiles.length === 0)
    problems.push({
      file: relative(path.join(rulesDir, 'packs')),
      path: '',
      code: 'empty-folder',
      message: 'contains no rule pack (*.json)',
    });
  const sharedPath = path.join(rulesDir, 'shared.json');
  const shared = readChecked<SharedFile>(sharedPath, 'shared', relative, problems);
  if (shared) problems.push(...nestedSharedReferences(shared).map((p) => ({ file: relative(sharedPath), ...p })));
  const { factsPath, factsFile, facts } = readDeclaredFacts(rulesDir, relative, problems);
  if (shared && facts)
    problems.push(...unknownFactsInShared(shared, facts).map((p) => ({ file: relative(sharedPath), ...p })));
  const packs = packFiles.map((file) => {
    const { value, valid } = readValidated(file, 'rule-pack', relative, problems);
    const written = valid ? (value as WrittenPack) : undefined;
    return {
      file,
      pack: written && shared ? expandPack(written, shared, relative(file), problems, facts) : undefined,
      // A pack that fails its schema still names its rules: references to them are not separate problems.
      names: value === undefined ? undefined : ruleNamesIn(value),
    };
  });

  const codeSystemDir = path.join(path.dirname(valueSetsDir), 'codesystems');
  let terminology: Terminology | undefined;
  try {
    terminology = loadTerminology(valueSetsDir, fs.existsSync(codeSystemDir) ? { codeSystemDir } : {});
  } catch (error) {
    if (!(error instanceof TerminologyLoadError)) throw error;
    problems.push(...error.problems.map((p) => ({ ...p, file: relative(path.join(valueSetsDir, p.file)) })));
  }
  if (shared)
    problems.push(...checkValueSetLists(shared, terminology).map((p) => ({ file: relative(sharedPath), ...p })));

  if (factsFile)
    problems.push(
      ...checkDeclaredFacts(factsFile, terminology, parametersFile?.parameters).map((p) => ({
        file: relative(factsPath),
        ...p,
      })),
    );
  const parameterSpecs = parametersFile?.parameters ?? {};
  for (const name of REQUIRED_PARAMETERS) {
    if (parametersFile && !(name in parameterSpecs)) {
      problems.push({
        file: relative(path.join(rulesDir, 'parameters.json')),
        path: `parameters.${name}`,
        code: 'missing-parameter',
        message: 'is missing; the fact computations need it',
      });
    }
  }
  const overrideReasons: OverrideReasons = Object.fromEntries(
    Object.entries(reasonsFile?.sets ?? {}).map(([name, reasons]) => [
      name,
      reasons.map((r) => ({ system: reasonsFile?.system, ...r })),
    ]),
  );

  const rules: LoadedRule[] = [];
  const firstFileOfRule = new Map<string, string>();
  for (const { file, pack } of packs) {
    if (!pack) continue;
    pack.rules.forEach((spec, index) => {
      const where = { file: relative(file), rule: spec.name };
      const previous = firstFileOfRule.get(spec.name);
      if (previous)
        problems.push({
          ...where,
          path: `rules[${index}].name`,
          code: 'duplicate-name',
          message: `is already used by a rule in ${previous}; rule names must be unique`,
        });
      firstFileOfRule.set(spec.name, relative(file));
      rules.push({ pack: pack.pack, position: rules.length, spec });
    });
  }
  const ruleNames = new Set(packs.flatMap(({ names }) => names ?? []));
  const ruleNamesComplete = packs.every(({ names }) => names !== undefined);
  const modalities = shared && new Set(shared.orderModalities.map(({ modality }) => modality));
  for (const { file, pack } of packs) {
    pack?.rules.forEach((spec, index) => {
      const context: RuleCheckContext = {
        file: relative(file),
        rule: spec.name,
        index,
        parameterSpecs: parametersFile?.parameters,
        overrideReasons: reasonsFile ? overrideReasons : undefined,
        terminology,
        ruleNames: ruleNamesComplete ? ruleNames : undefined,
        facts,
        modalities,
      };
      problems.push(...checkRule(spec, context));
    });
  }
  if (shared && reasonsFile)
    problems.push(...cardGroupProblems(packs, shared, relative(sharedPath), overrideReasons, relative));
  if (parametersFile) {
    const file = relative(path.join(rulesDir, 'parameters.json'));
    problems.push(...checkParameterTypes(rules, parametersFile.parameters).map((p) => ({ file, ...p })));
  }

  if (problems.length > 0 || !terminology || !parametersFile || !reasonsFile || !shared || !facts || !factsFile)
    throw new RuleSetError(problems);
  return {
    profile,
    version: versionOf(hashes),
    fileHashes: hashes,
    packs: packs.map(({ pack }) => pack as RulePack),
    rules,
    parameters: parameterValues(parametersFile),
    parameterSpecs,
    overrideReasons,
    terminology,
    statements: shared.statements,
    facts,
    declaredFacts: factsFile.facts,
    cardGroups: shared.cardGroups ?? {},
    valueSetLists: valueSetListsOf(shared),
    orderModalities: shared.orderModalities,
  };
}

type WrittenPack = Omit<RulePack, 'rules'> & { rules: WrittenRule[] };

function expandPack(
  written: WrittenPack,
  shared: SharedFile,
  file: string,
  problems: FileProblem[],
  facts: FactCatalogue | undefined,
): RulePack {
  const rules = written.rules.map((rule, index) => {
    const { spec, unknown } = expandRule(rule, shared);
    const unknownFacts = facts ? unknownFactsInRule(rule, facts) : [];
    problems.push(
      ...[...unknownFacts, ...unknown].map((p) => ({ file, rule: rule.name, ...p, path: `rules[${index}].${p.path}` })),
    );
    return spec;
  });
  return { ...written, rules };
}
