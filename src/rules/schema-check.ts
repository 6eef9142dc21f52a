import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import path from 'node:path';
import { SCHEMA_DIR } from '../project-root';
import { jsonPath, listJsonFiles, readJsonFile, type FileProblem } from '../json-file';
import { didYouMean } from './did-you-mean';

let ajv: Ajv | undefined;

/** Every schema in rules/schema, registered once so that one may refer to another (shared → rule-pack). */
function schemas(): Ajv {
  if (!ajv) {
    ajv = new Ajv({ allErrors: true, strict: false, verbose: true, discriminator: true });
    for (const file of listJsonFiles(SCHEMA_DIR)) {
      const { value, problem } = readJsonFile(file, file);
      if (problem) throw new Error(`${problem.file} ${problem.message}`);
      ajv.addSchema(value as object, path.basename(file, '.schema.json'));
    }
  }
  return ajv;
}

/** Validates a file's content against one of the schemas in rules/schema, in an informaticist's words. */
export function schemaProblems(schemaName: string, value: unknown, file: string): FileProblem[] {
  const validate = validatorFor(schemaName);
  if (validate(value)) return [];
  return readableErrors(validate.errors ?? []).map((error) => ({
    file,
    rule: ruleNameAt(value, error.instancePath),
    path: jsonPath(error.instancePath),
    code: 'schema',
    message: messageOf(error),
  }));
}

function validatorFor(schemaName: string): ValidateFunction {
  const validate = schemas().getSchema(schemaName);
  if (!validate) throw new Error(`no schema ${schemaName}.schema.json in ${SCHEMA_DIR}`);
  return validate;
}

/**
 * Ajv reports every branch of a oneOf; keep the most specific error per location. A branch of another type (a
 * resource written out where a fixture name could stand) says nothing about what is wrong inside the value.
 */
function readableErrors(errors: ErrorObject[]): ErrorObject[] {
  const specific = errors.filter((error) => !['oneOf', 'anyOf', 'if'].includes(error.keyword));
  const chosen = specific.length > 0 ? specific : errors;
  const byPath = new Map<string, ErrorObject>();
  for (const error of chosen) {
    const deeper = chosen.some((other) => other.instancePath.startsWith(`${error.instancePath}/`));
    const otherBranch =
      error.keyword === 'type' &&
      chosen.some((other) => other.instancePath === error.instancePath && other.keyword !== 'type');
    if (!deeper && !otherBranch && !byPath.has(error.instancePath + error.keyword))
      byPath.set(error.instancePath + error.keyword, error);
  }
  return [...byPath.values()];
}

function messageOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `"${params.missingProperty}" is missing`;
    case 'additionalProperties':
      return `"${params.additionalProperty}" is not a known field here (check the spelling)`;
    case 'enum':
      return enumMessage(error.data, params.allowedValues as unknown[]);
    case 'maxLength':
      return `is too long: at most ${params.limit} characters`;
    case 'minLength':
      return 'must not be empty';
    case 'type':
      return `must be ${params.type}`;
    case 'pattern':
      return `has the wrong form (expected ${params.pattern})`;
    default:
      return error.message ?? 'is not valid';
  }
}

/** Long lists (the fact names) are not repeated in full: a likely typo gets a suggestion instead. */
const ENUM_LIST_MAX = 12;

function enumMessage(value: unknown, allowed: unknown[]): string {
  const names = allowed.filter((v): v is string => typeof v === 'string');
  const suggestion = typeof value === 'string' ? didYouMean(value, names) : '';
  const list =
    allowed.length <= ENUM_LIST_MAX || !suggestion
      ? `: ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
      : ` the ${allowed.length} known values`;
  return `${JSON.stringify(value)} is unknown.${suggestion} It must be one of${list}`;
}

function ruleNameAt(value: unknown, pointer: string): string | undefined {
  const index = /^\/rules\/(\d+)/.exec(pointer)?.[1];
  if (index === undefined) return undefined;
  const rule = (value as { rules?: Array<{ name?: unknown }> }).rules?.[Number(index)];
  return typeof rule?.name === 'string' ? rule.name : undefined;
}
