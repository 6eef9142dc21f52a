import { existsSync } from 'node:fs';
import type { FileProblemCode } from '../file-problem-codes';
import path from 'node:path';
import type { ValueSet } from '@medplum/fhirtypes';
import { listJsonFiles, readJsonFile } from '../json-file';

export const ICD_10_CM = 'http://hl7.org/fhir/sid/icd-10-cm';

/**
 * Drug-class ValueSets declare the ingredient names that recognise products they do not list (see
 * clinical/ingredient-names).
 */
export const INGREDIENT_NAMES_EXTENSION =
  'https://fhir.spine-cds.example/StructureDefinition/recognised-by-ingredient-name';

/** One thing wrong in a terminology file: which file, where in it (JSON path, '' = the whole file) and what. */
export interface TerminologyProblem {
  file: string;
  path: string;
  code: FileProblemCode;
  message: string;
}

/** Thrown at start-up when a ValueSet or CodeSystem file is unusable; lists every problem found, not just the first. */
export class TerminologyLoadError extends Error {
  constructor(readonly problems: TerminologyProblem[]) {
    super(describeProblems(problems));
    this.name = 'TerminologyLoadError';
  }
}

/** ICD-10-CM codes are compared upper-case and without the dot (`m54.51` and `M5451` are `M5451`). */
export function normaliseIcd10CmCode(code: string): string {
  return code.trim().toUpperCase().replace(/\./g, '');
}

/**
 * Reads and validates every `*.json` ValueSet in `valueSetDir`. When `codeSystemDir` is given, its CodeSystems are read
 * too and every code a ValueSet takes from one of them must be defined there (catches typos in local codes).
 */
export function readValueSets(valueSetDir: string, codeSystemDir?: string): ValueSet[] {
  const problems: TerminologyProblem[] = [];
  const valueSets = readJsonFiles(valueSetDir, problems).filter((file) => isValidValueSet(file, problems));
  reportDuplicateUrls(valueSets, problems);
  if (codeSystemDir !== undefined) {
    reportCodesMissingFromCodeSystems(valueSets, readCodeSystems(codeSystemDir, problems), problems);
  }
  if (problems.length > 0) throw new TerminologyLoadError(problems);
  return valueSets.map((file) => file.content as ValueSet);
}

interface JsonFile {
  file: string;
  content: unknown;
}

type JsonObject = Record<string, unknown>;

function readJsonFiles(dir: string, problems: TerminologyProblem[]): JsonFile[] {
  if (!existsSync(dir)) {
    problems.push({ file: dir, path: '', code: 'unreadable-file', message: 'folder not found' });
    return [];
  }
  return listJsonFiles(dir).flatMap((file) => {
    const { value, problem } = readJsonFile(file, file);
    if (problem) problems.push({ file, path: problem.path, code: problem.code, message: problem.message });
    return problem ? [] : [{ file, content: value }];
  });
}

function isValidValueSet({ file, content }: JsonFile, problems: TerminologyProblem[]): boolean {
  const found: TerminologyProblem[] = [];
  const report = (jsonPath: string, message: string): void => {
    found.push({ file, path: jsonPath, code: 'invalid-valueset', message });
  };
  if (!isObject(content)) {
    report('', 'the file must contain one JSON object, a ValueSet');
  } else if (content.resourceType !== 'ValueSet') {
    report('resourceType', `resourceType is ${describe(content.resourceType)}; this folder holds only ValueSets`);
  } else {
    checkId(content.id, path.basename(file, '.json'), report);
    checkUrl(content.url, report);
    checkStatus(content.status, report);
    checkCompose(content.compose, report);
    checkIngredientNames(content.extension, report);
  }
  problems.push(...found);
  return found.length === 0;
}

type Report = (jsonPath: string, message: string) => void;

function checkId(id: unknown, fileName: string, report: Report): void {
  if (typeof id !== 'string' || id === '') {
    report('id', `id is missing; it must be the file name without .json ('${fileName}')`);
  } else if (id !== fileName) {
    report('id', `id '${id}' does not match the file name '${fileName}.json'; rename the file or change the id`);
  } else if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) {
    report('id', `id '${id}' must be kebab-case (lower-case letters and digits joined by '-')`);
  }
}

function checkUrl(url: unknown, report: Report): void {
  if (typeof url !== 'string' || url.trim() === '') {
    report('url', 'url is missing; give the canonical url, e.g. https://fhir.spine-cds.example/ValueSet/<id>');
  } else if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(url)) {
    report('url', `url '${url}' is not an absolute URI`);
  }
}

function checkStatus(status: unknown, report: Report): void {
  if (!['draft', 'active', 'retired', 'unknown'].includes(status as string)) {
    report('status', `status ${describe(status)} is not allowed; FHIR requires one of draft, active, retired, unknown`);
  }
}

function checkCompose(compose: unknown, report: Report): void {
  if (!isObject(compose) || !Array.isArray(compose.include) || compose.include.length === 0) {
    report('compose.include', 'compose.include is missing or empty, so the ValueSet would contain no codes');
    return;
  }
  if (compose.exclude !== undefined) {
    report('compose.exclude', 'compose.exclude is not supported; leave the codes out of compose.include instead');
  }
  compose.include.forEach((include, index) => checkInclude(include, `compose.include[${index}]`, report));
}

function checkInclude(include: unknown, at: string, report: Report): void {
  if (!isObject(include)) {
    report(at, 'each include must be an object with a system and concept[] or filter[]');
    return;
  }
  const system = checkSystem(include.system, `${at}.system`, report);
  if (include.valueSet !== undefined) {
    report(`${at}.valueSet`, 'including other ValueSets is not supported; list the codes in this ValueSet');
  }
  const hasConcepts = Array.isArray(include.concept) && include.concept.length > 0;
  const hasFilters = Array.isArray(include.filter) && include.filter.length > 0;
  if (hasConcepts && hasFilters) {
    report(at, 'an include may have concept[] or filter[], not both (FHIR rule vsd-3); split it into two includes');
  } else if (hasConcepts) {
    (include.concept as unknown[]).forEach((concept, index) =>
      checkConcept(concept, system, `${at}.concept[${index}]`, report),
    );
  } else if (hasFilters) {
    checkFilters(include.filter as unknown[], system, at, report);
  } else {
    report(at, 'list the codes in concept[] or give a filter[]; without either it would take the whole code system');
  }
}

const INGREDIENT_NAME_PARTS = ['ingredient', 'excludedDoseForm'];

// The drug-class fallback (src/clinical/ingredient-names.ts): each part a kind it knows and a non-empty text.
function checkIngredientNames(extensions: unknown, report: Report): void {
  if (!Array.isArray(extensions)) return;
  extensions.forEach((extension, index) => {
    if (!isObject(extension) || extension.url !== INGREDIENT_NAMES_EXTENSION) return;
    const parts = Array.isArray(extension.extension) ? extension.extension : [];
    if (!parts.some((part) => isObject(part) && part.url === 'ingredient')) {
      report(`extension[${index}].extension`, "list at least one { url: 'ingredient', valueString: '<name>' }");
    }
    parts.forEach((part, partIndex) => {
      const at = `extension[${index}].extension[${partIndex}]`;
      if (!isObject(part) || !INGREDIENT_NAME_PARTS.includes(part.url as string)) {
        report(`${at}.url`, `url must be one of ${INGREDIENT_NAME_PARTS.join(', ')}`);
      } else if (typeof part.valueString !== 'string' || part.valueString.trim() === '') {
        report(`${at}.valueString`, `the ${part.url as string} must be a non-empty valueString`);
      }
    });
  });
}

function checkSystem(system: unknown, at: string, report: Report): string | undefined {
  if (typeof system !== 'string' || system.trim() === '') {
    report(at, 'system is missing; say which code system the codes come from, e.g. http://snomed.info/sct');
    return undefined;
  }
  if (/^urn:oid:/i.test(system)) {
    report(at, `write the code system's canonical URI (e.g. http://snomed.info/sct), not the OID '${system}'`);
  }
  return system;
}

function checkConcept(concept: unknown, system: string | undefined, at: string, report: Report): void {
  const code = isObject(concept) ? concept.code : undefined;
  if (typeof code !== 'string' || code.trim() === '') {
    report(`${at}.code`, 'code must be a non-empty text');
  } else if (system === ICD_10_CM) {
    checkIcd10CmShape(code, `${at}.code`, report);
  }
}

function checkFilters(filters: unknown[], system: string | undefined, at: string, report: Report): void {
  if (filters.length > 1) {
    // FHIR ANDs the filters of one include; two is-a families there would match almost nothing.
    report(`${at}.filter`, 'only one filter per include is supported; put each ICD-10-CM family in its own include');
  }
  filters.forEach((filter, index) => checkFilter(filter, system, `${at}.filter[${index}]`, report));
}

function checkFilter(filter: unknown, system: string | undefined, at: string, report: Report): void {
  if (!isObject(filter)) {
    report(at, "a filter must be an object: { property: 'concept', op: 'is-a', value: '<ICD-10-CM code>' }");
    return;
  }
  if (filter.property !== 'concept') {
    const property = describe(filter.property);
    report(`${at}.property`, `filter property ${property} is not supported; use property 'concept' with op 'is-a'`);
  }
  if (filter.op !== 'is-a') {
    const op = describe(filter.op);
    report(`${at}.op`, `filter operator ${op} is not supported; use 'is-a' on ICD-10-CM or list the codes`);
  }
  if (typeof filter.value !== 'string' || filter.value.trim() === '') {
    report(`${at}.value`, "filter value must be the ICD-10-CM code whose family is included, e.g. 'M54.5'");
  } else if (system === ICD_10_CM) {
    checkIcd10CmShape(filter.value, `${at}.value`, report);
  }
  if (system !== undefined && system !== ICD_10_CM) {
    report(at, `is-a filters work only on ICD-10-CM (${ICD_10_CM}); list the ${system} codes in concept[]`);
  }
}

// A letter, a digit, a third character, then up to four more: catches typos such as 'M54,5' that would never match.
function checkIcd10CmShape(code: string, at: string, report: Report): void {
  if (!/^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$/.test(normaliseIcd10CmCode(code))) {
    report(at, `'${code}' does not look like an ICD-10-CM code (e.g. M54.5, M48.062, M80.08XA)`);
  }
}

function reportDuplicateUrls(valueSets: JsonFile[], problems: TerminologyProblem[]): void {
  const firstFileByUrl = new Map<string, string>();
  for (const { file, content } of valueSets) {
    const url = (content as ValueSet).url as string;
    const earlier = firstFileByUrl.get(url);
    if (earlier === undefined) {
      firstFileByUrl.set(url, file);
    } else {
      const message = `url '${url}' is already used by ${earlier}; every ValueSet needs its own url`;
      problems.push({ file, path: 'url', code: 'duplicate-name', message });
    }
  }
}

function readCodeSystems(dir: string, problems: TerminologyProblem[]): Map<string, Set<string>> {
  const codesBySystem = new Map<string, Set<string>>();
  for (const { file, content } of readJsonFiles(dir, problems)) {
    if (!isObject(content) || content.resourceType !== 'CodeSystem') {
      const message = 'this folder holds only CodeSystems (resourceType CodeSystem)';
      problems.push({ file, path: 'resourceType', code: 'invalid-valueset', message });
    } else if (typeof content.url !== 'string' || content.url.trim() === '') {
      problems.push({
        file,
        path: 'url',
        code: 'invalid-valueset',
        message: 'url is missing; ValueSets refer to a CodeSystem by its url',
      });
    } else {
      codesBySystem.set(content.url, definedCodes(content.concept));
    }
  }
  return codesBySystem;
}

function definedCodes(concepts: unknown): Set<string> {
  const codes = new Set<string>();
  const visit = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const concept of list) {
      if (isObject(concept) && typeof concept.code === 'string') codes.add(concept.code);
      if (isObject(concept)) visit(concept.concept);
    }
  };
  visit(concepts);
  return codes;
}

function reportCodesMissingFromCodeSystems(
  valueSets: JsonFile[],
  codesBySystem: Map<string, Set<string>>,
  problems: TerminologyProblem[],
): void {
  for (const { file, content } of valueSets) {
    (content as ValueSet).compose?.include.forEach((include, includeIndex) => {
      const defined = codesBySystem.get(include.system ?? '');
      include.concept?.forEach((concept, conceptIndex) => {
        if (defined !== undefined && !defined.has(concept.code)) {
          problems.push({
            file,
            path: `compose.include[${includeIndex}].concept[${conceptIndex}].code`,
            code: 'unknown-code',
            message: `code '${concept.code}' is not defined in the CodeSystem ${include.system}`,
          });
        }
      });
    });
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
}

function describeProblems(problems: TerminologyProblem[]): string {
  const lines = problems.map(({ file, path: at, message }) => `  - ${file}${at === '' ? '' : ` at ${at}`}: ${message}`);
  return `${problems.length} problem(s) in the terminology files:\n${lines.join('\n')}`;
}
