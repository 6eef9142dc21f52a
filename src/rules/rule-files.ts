import fs from 'node:fs';
import path from 'node:path';
import type { FactCatalogue } from '../clinical/facts';
import { readJsonFile, type FileProblem } from '../json-file';
import { factCatalogue, NO_DECLARED_FACTS, type FactsFile } from './declared-facts';
import type { ParametersFile } from './rule-pack';
import { schemaProblems } from './schema-check';

/**
 * Reading the rule set's files: each JSON file read and checked against its schema, every problem collected with the
 * file's name relative to the rules folder's parent (`relative`), so one load reports them all.
 */

/** Reads a file and checks it against its schema; `value` is there whenever the file is JSON, valid or not. */
export function readValidated(
  file: string,
  schema: string,
  relative: (file: string) => string,
  problems: FileProblem[],
): { value?: unknown; valid: boolean } {
  const { value, problem } = readJsonFile(file, relative(file));
  if (problem) {
    problems.push(problem);
    return { valid: false };
  }
  const found = schemaProblems(schema, value, relative(file));
  problems.push(...found);
  return { value, valid: found.length === 0 };
}

/** The file's content when it is JSON that passes its schema; else undefined, with its problems reported. */
export function readChecked<T>(
  file: string,
  schema: string,
  relative: (file: string) => string,
  problems: FileProblem[],
): T | undefined {
  const { value, valid } = readValidated(file, schema, relative, problems);
  return valid ? (value as T) : undefined;
}

/** The rule names a pack holds, also when it fails its schema (references to them are then not problems too). */
export function ruleNamesIn(pack: unknown): string[] {
  const rules = (pack as { rules?: unknown } | null)?.rules;
  return Array.isArray(rules)
    ? rules.flatMap((rule) => {
        const name = (rule as { name?: unknown } | null)?.name;
        return typeof name === 'string' ? [name] : [];
      })
    : [];
}

/** rules/facts.json is optional; the catalogue is undefined when the file is there but does not load. */
export function readDeclaredFacts(
  rulesDir: string,
  relative: (file: string) => string,
  problems: FileProblem[],
): { factsPath: string; factsFile?: FactsFile; facts?: FactCatalogue } {
  const factsPath = path.join(rulesDir, 'facts.json');
  const factsFile = fs.existsSync(factsPath)
    ? readChecked<FactsFile>(factsPath, 'facts', relative, problems)
    : NO_DECLARED_FACTS;
  return { factsPath, factsFile, facts: factsFile && factCatalogue(factsFile) };
}

/** A profile's parameters over the default's, name by name; undefined when any file is missing or invalid. */
export function layeredParameters(files: Array<ParametersFile | undefined>): ParametersFile | undefined {
  if (files.some((file) => file === undefined)) return undefined;
  return { parameters: Object.assign({}, ...files.map((file) => (file as ParametersFile).parameters)) };
}
