import type { FileProblemCode } from '../file-problem-codes';
import {
  declaredFactDefinition,
  FACT_DEFINITIONS,
  uncheckedFacts,
  type DeclaredFact,
  type FactCatalogue,
  type FactDefinition,
} from '../clinical/facts';
import type { Terminology } from '../fhir/terminology';
import { unknownValueSetMessage } from './checks/valueset-name';
import { didYouMean } from './did-you-mean';
import type { ParametersFile } from './rule-pack';

/** rules/facts.json (optional): facts an informaticist defines from ValueSets, without TypeScript. */
export interface FactsFile {
  facts: Record<string, DeclaredFact>;
}

export const NO_DECLARED_FACTS: FactsFile = { facts: {} };

/** The built-in facts and the declared ones; a declaration clashing with a built-in fact is a problem, never used. */
export function factCatalogue(file: FactsFile): FactCatalogue {
  const declared = Object.entries(file.facts)
    .filter(([id]) => !FACT_DEFINITIONS.has(id))
    .map(([id, fact]): [string, FactDefinition] => [id, declaredFactDefinition(id, fact)]);
  // uncheckedFacts reads every other fact, so it stays last: after the declared ones too.
  const builtIn = [...FACT_DEFINITIONS].filter(([id]) => id !== uncheckedFacts.id);
  return new Map([...builtIn, ...declared, [uncheckedFacts.id, uncheckedFacts]]);
}

/** What a declaration names must exist: one problem per mistake, at its path in facts.json. */
export function checkDeclaredFacts(
  file: FactsFile,
  terminology: Terminology | undefined,
  parameters: ParametersFile['parameters'] | undefined,
): Array<{ path: string; code: FileProblemCode; message: string }> {
  const problems: Array<{ path: string; code: FileProblemCode; message: string }> = [];
  for (const [id, fact] of Object.entries(file.facts)) {
    const at = `facts.${id}`;
    const builtIn = FACT_DEFINITIONS.get(id);
    if (builtIn)
      problems.push({
        path: at,
        code: 'duplicate-name',
        message: `is a built-in fact ("${builtIn.label}"); give the declared fact another name`,
      });
    // Without the ValueSets or parameters, their own problems are the ones to fix: names into them are not checked.
    fact.valueSets.forEach((valueSet, i) => {
      if (terminology && !terminology.has(valueSet))
        problems.push({
          path: `${at}.valueSets[${i}]`,
          code: 'unknown-valueset',
          message: unknownValueSetMessage(valueSet, terminology),
        });
    });
    const days = 'withinDays' in fact ? fact.withinDays : undefined;
    if (typeof days === 'object' && parameters) problems.push(...daysParameterProblems(days.param, parameters, at));
  }
  return problems;
}

function daysParameterProblems(
  name: string,
  parameters: ParametersFile['parameters'],
  at: string,
): Array<{ path: string; code: FileProblemCode; message: string }> {
  const path = `${at}.withinDays.param`;
  const parameter = Object.hasOwn(parameters, name) ? parameters[name] : undefined;
  if (!parameter)
    return [
      {
        path,
        code: 'unknown-parameter',
        message:
          `parameter "${name}" is not defined in rules/parameters.json.` + didYouMean(name, Object.keys(parameters)),
      },
    ];
  if (typeof parameter.value !== 'number')
    return [
      {
        path,
        code: 'type-mismatch',
        message: `parameter "${name}" must be a number of days (it is ${JSON.stringify(parameter.value)})`,
      },
    ];
  if (parameter.unit !== 'days')
    return [
      {
        path,
        code: 'type-mismatch',
        message: `parameter "${name}" is in ${parameter.unit ?? 'no unit'}; withinDays needs one in days`,
      },
    ];
  return [];
}
