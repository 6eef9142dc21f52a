import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Bundle, Coding, MedicationRequest, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { handleHookCall, type HookCallDependencies } from '../cds/hook-service';
import type { DataRequirement } from '../cds/data-requirement';
import { offlineFetchSettings } from '../cds/prefetch';
import { dataRequirements, type PrefetchSource } from '../cds/services';
import type { Card } from '../cds/types';
import type { HookName } from '../cds/protocol/hooks';
import type { FileProblemCode } from '../file-problem-codes';
import { listJsonFiles, readJsonFile, type FileProblem } from '../json-file';
import { expandFixtures, loadFixtures } from './scenario-fixtures';
import type { RuleSet } from '../rules/load-rule-set';
import { DEFAULT_PROFILE, profileFiles } from '../rules/profiles';
import { schemaProblems } from '../rules/schema-check';

/**
 * Scenario tests for rule packs (rules/scenarios/*.json, described by rules/schema/scenario.schema.json): a
 * patient's FHIR data, a hook call at a given moment, and the cards that must and must not come back. Each
 * scenario runs through the real pipeline (handleHookCall) with its data as prefetch, as an EHR would send it.
 */

export interface ScenarioExpectation {
  /** Rule names whose cards must appear. */
  cards: string[];
  /** Rule names whose cards must not appear. */
  absent: string[];
  /** No card other than `cards` may appear. */
  exactly?: boolean;
}

export interface Scenario {
  name: string;
  description: string;
  /** ISO date-time of the hook call. */
  now: string;
  hook: HookName;
  patientId: string;
  resources: Resource[];
  draftOrders?: Array<ServiceRequest | MedicationRequest>;
  selections?: string[];
  expect: ScenarioExpectation;
}

export interface ScenarioFile {
  $schema?: string;
  description?: string;
  scenarios: Scenario[];
}

/** A scenario with the file it came from (relative path, for messages). */
export interface LoadedScenario extends Scenario {
  file: string;
}

export interface ScenarioProblem extends FileProblem {
  scenario?: string;
}

export interface ScenarioResult {
  name: string;
  file: string;
  hook: HookName;
  now: string;
  passed: boolean;
  /** Rule names of the cards returned, in the order the service returned them. */
  cards: string[];
  /** Expected cards that did not appear. */
  missing: string[];
  /** Cards that appeared although `absent` names them (or, with `exactly`, that `cards` does not name). */
  unexpected: string[];
  /** Set when the hook call itself failed (e.g. an invalid response or a rejected request). */
  error?: string;
}

const SCENARIO_SCHEMA = 'scenario';

// ---------------------------------------------------------------------------------------------------------------
// Loading and checking

/**
 * Reads and validates scenario files: JSON syntax, the schema, and what the schema cannot know (unique names,
 * a Patient matching patientId, references, selections, and, given a rule set, that every rule named exists and
 * can run on the scenario's hook). Scenarios are returned only when there are no problems at all.
 */
export function loadScenarios(
  rulesDir: string,
  files?: string[],
  ruleSet?: RuleSet,
): { scenarios: LoadedScenario[]; problems: ScenarioProblem[] } {
  const problems: ScenarioProblem[] = [];
  const scenarios: LoadedScenario[] = [];
  const relative = (file: string) => path.relative(path.dirname(path.resolve(rulesDir)), path.resolve(file));
  // By default, the scenarios of the rule set's profile.
  const { scenariosDir } = profileFiles(rulesDir, ruleSet?.profile ?? DEFAULT_PROFILE);
  files ??= listJsonFiles(scenariosDir);
  if (files.length === 0) {
    problems.push({
      file: relative(scenariosDir),
      path: '',
      code: 'empty-folder',
      message: 'contains no scenario file (*.json)',
    });
  }
  const { problems: fixtureProblems, ...fixtures } = loadFixtures(path.join(rulesDir, 'scenarios'), relative);
  problems.push(...fixtureProblems);
  for (const file of files) {
    const display = relative(file);
    const { value: written, problem } = readJsonFile(file, display);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const { value, problems: unknownFixtures, fromBroken } = expandFixtures(written, fixtures, display);
    problems.push(...unknownFixtures);
    const found = schemaProblems(SCENARIO_SCHEMA, value, display)
      .filter((p) => !fromBroken.some((at) => p.path === at || p.path.startsWith(`${at}.`)))
      .map((p) => ({ ...p, rule: undefined, scenario: scenarioNameAt(value, p.path) }));
    problems.push(...found);
    if (found.length > 0) continue;
    for (const scenario of (value as ScenarioFile).scenarios) scenarios.push({ ...scenario, file: display });
  }
  problems.push(...scenarioProblems(scenarios, ruleSet));
  return { scenarios: problems.length === 0 ? scenarios : [], problems };
}

function scenarioNameAt(value: unknown, where: string): string | undefined {
  const index = /^scenarios\[(\d+)\]/.exec(where)?.[1];
  if (index === undefined) return undefined;
  const scenario = (value as { scenarios?: Array<{ name?: unknown }> }).scenarios?.[Number(index)];
  return typeof scenario?.name === 'string' ? scenario.name : undefined;
}

/** Checks across scenarios and against the rule set; the schema has already passed. */
function scenarioProblems(scenarios: LoadedScenario[], ruleSet?: RuleSet): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const firstFile = new Map<string, string>();
  const resourcesById = new Map<string, { scenario: string; json: string }>();
  const rules = ruleSet ? new Map(ruleSet.rules.map((rule) => [rule.spec.name, rule.spec])) : undefined;

  scenarios.forEach((scenario) => {
    const at = (where: string, message: string, code: FileProblemCode = 'invalid-scenario') =>
      problems.push({ file: scenario.file, scenario: scenario.name, path: where, code, message });
    const previous = firstFile.get(scenario.name);
    if (previous)
      at('name', `is already used by a scenario in ${previous}; scenario names must be unique`, 'duplicate-name');
    firstFile.set(scenario.name, scenario.file);

    if (Number.isNaN(Date.parse(scenario.now))) at('now', `"${scenario.now}" is not a valid date-time`);

    const patients = scenario.resources.filter((resource) => resource.resourceType === 'Patient');
    if (patients.length !== 1) at('resources', `must contain exactly one Patient (found ${patients.length})`);
    else if (patients[0].id !== scenario.patientId)
      at('resources', `the Patient's id "${patients[0].id}" differs from patientId "${scenario.patientId}"`);

    const ids = new Set<string>();
    scenario.resources.forEach((resource, index) => {
      const key = `${resource.resourceType}/${resource.id}`;
      if (ids.has(key)) at(`resources[${index}].id`, `${key} appears twice in this scenario`);
      ids.add(key);
      const other = resourcesById.get(key);
      const json = JSON.stringify(resource);
      if (other && other.json !== json) {
        at(
          `resources[${index}].id`,
          `${key} is also used, with different content, by scenario "${other.scenario}"; use unique ids (all scenarios share one test FHIR server)`,
        );
      }
      if (!other) resourcesById.set(key, { scenario: scenario.name, json });
      const subject = (resource as { subject?: { reference?: string } }).subject?.reference;
      if (resource.resourceType !== 'Patient' && subject !== `Patient/${scenario.patientId}`) {
        at(`resources[${index}].subject`, `must be Patient/${scenario.patientId}, got ${subject ?? 'nothing'}`);
      }
    });

    const isOrderHook = scenario.hook !== 'patient-view';
    if (!isOrderHook && scenario.draftOrders) at('draftOrders', 'is only used by order-select and order-sign');
    if (isOrderHook && !scenario.draftOrders)
      at('draftOrders', `is required for ${scenario.hook}: without draft orders the service has nothing to check`);
    if (scenario.hook !== 'order-select' && scenario.selections) at('selections', 'is only used by order-select');
    if (scenario.hook === 'order-select' && !scenario.selections) at('selections', 'is required for order-select');
    const orderIds = new Set((scenario.draftOrders ?? []).map((order) => `${order.resourceType}/${order.id}`));
    (scenario.draftOrders ?? []).forEach((order, index) => {
      if (order.subject?.reference !== `Patient/${scenario.patientId}`) {
        at(
          `draftOrders[${index}].subject`,
          `must be Patient/${scenario.patientId}, got ${order.subject?.reference ?? 'nothing'}`,
        );
      }
    });
    (scenario.selections ?? []).forEach((selection, index) => {
      if (!orderIds.has(selection)) at(`selections[${index}]`, `"${selection}" is not one of the draftOrders`);
    });

    const expected = new Set(scenario.expect.cards);
    scenario.expect.absent.forEach((name, index) => {
      if (expected.has(name)) at(`expect.absent[${index}]`, `"${name}" is also listed in expect.cards`);
    });
    if (rules) {
      const check = (list: 'cards' | 'absent') =>
        scenario.expect[list].forEach((name, index) => {
          const rule = rules.get(name);
          if (!rule)
            at(
              `expect.${list}[${index}]`,
              `no rule is named "${name}"${suggestName(name, [...rules.keys()])}`,
              'unknown-rule',
            );
          else if (rule.hooks && !rule.hooks.includes(scenario.hook)) {
            at(
              `expect.${list}[${index}]`,
              `rule "${name}" never runs on ${scenario.hook} (only ${rule.hooks.join(', ')}), so this expectation says nothing`,
            );
          }
        });
      check('cards');
      check('absent');
    }
  });
  return problems;
}

function suggestName(name: string, names: string[]): string {
  const close = names.find((candidate) => candidate.includes(name) || name.includes(candidate));
  return close ? ` (did you mean "${close}"?)` : '';
}

export function formatScenarioProblem(problem: ScenarioProblem): string {
  const where = [
    problem.file,
    problem.scenario ? `scenario "${problem.scenario}"` : undefined,
    problem.path || undefined,
  ]
    .filter(Boolean)
    .join(' › ');
  return `- ${where}: ${problem.message}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Building the hook request

export interface HookRequestOptions {
  /** 'full': every prefetch key, as an EHR honouring the templates sends it; 'none': no prefetch at all. */
  prefetch?: 'full' | 'none';
  /** FHIR base URL to send as fhirServer (needed when prefetch is 'none'). */
  fhirServer?: string;
  userId?: string;
}

/** The CDS Hooks request an EHR would send for the scenario. */
export function buildHookRequest(
  scenario: Scenario,
  source: PrefetchSource,
  options: HookRequestOptions = {},
): Record<string, unknown> {
  const context: Record<string, unknown> = {
    userId: options.userId ?? 'Practitioner/scenario-runner',
    patientId: scenario.patientId,
  };
  if (scenario.draftOrders) {
    context.draftOrders = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: scenario.draftOrders.map((resource) => ({ resource })),
    } satisfies Bundle;
  }
  if (scenario.selections) context.selections = scenario.selections;
  return {
    hook: scenario.hook,
    hookInstance: randomUUID(),
    ...(options.fhirServer ? { fhirServer: options.fhirServer } : {}),
    context,
    ...(options.prefetch === 'none'
      ? {}
      : { prefetch: prefetchFor(scenario.resources, scenario.patientId, dataRequirements(source)) }),
  };
}

/**
 * What an EHR answers to each prefetch template: a read for `Patient/{{context.patientId}}`, a searchset for the
 * searches, filtered by the search parameters the templates use (patient, code, status).
 */
export function prefetchFor(
  resources: Resource[],
  patientId: string,
  requirements: readonly DataRequirement[],
): Record<string, Resource | Bundle | null> {
  const prefetch: Record<string, Resource | Bundle | null> = {};
  for (const requirement of requirements) {
    const query = requirement.template.replace(/\{\{\s*context\.patientId\s*\}\}/g, patientId);
    const [resourcePath, search] = query.split('?');
    if (search === undefined) {
      const [type, id] = resourcePath.split('/');
      prefetch[requirement.key] =
        resources.find((resource) => resource.resourceType === type && resource.id === id) ?? null;
      continue;
    }
    const params = new URLSearchParams(search);
    const matches = resources.filter(
      (resource) => resource.resourceType === resourcePath && matchesSearch(resource, params),
    );
    prefetch[requirement.key] = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: matches.length,
      entry: matches.map((resource) => ({ resource })),
    };
  }
  return prefetch;
}

function matchesSearch(resource: Resource, params: URLSearchParams): boolean {
  for (const [name, value] of params) {
    const alternatives = value.split(',');
    if (name === 'patient') {
      const subject = (resource as { subject?: { reference?: string } }).subject?.reference;
      if (!alternatives.some((id) => subject === `Patient/${id.replace(/^Patient\//, '')}`)) return false;
    } else if (name === 'code') {
      const codings: Coding[] = (resource as { code?: { coding?: Coding[] } }).code?.coding ?? [];
      const found = alternatives.some((token) => {
        const [system, code] = token.includes('|') ? token.split('|') : [undefined, token];
        return codings.some(
          (coding) => coding.code === code && (system === undefined || system === '' || coding.system === system),
        );
      });
      if (!found) return false;
    } else if (name === 'status') {
      if (!alternatives.includes((resource as { status?: string }).status ?? '')) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Running and comparing

/** Prefetch is always complete, so the runner never fetches: any fhirServer is refused. */
const NO_FETCH = offlineFetchSettings('the scenario runner never calls a FHIR server');

/** The rules behind the cards, in card order: a card group's card stands for each of its rules. */
export function ruleNamesOf(response: {
  cards?: Array<{ source?: { topic?: { code?: string } }; extension?: Record<string, unknown> }>;
}): string[] {
  return (response.cards ?? []).flatMap((card) => {
    const rules = card.extension?.['spine-cds.rules'];
    if (Array.isArray(rules)) return rules.map(String);
    return [card.source?.topic?.code ?? '(card without a rule name)'];
  });
}

/** Compares the cards returned with the expectation. */
export function compareCards(
  expectation: ScenarioExpectation,
  cards: string[],
): Pick<ScenarioResult, 'passed' | 'missing' | 'unexpected'> {
  const shown = new Set(cards);
  const missing = expectation.cards.filter((name) => !shown.has(name));
  const forbidden = new Set(expectation.absent);
  const allowed = new Set(expectation.cards);
  const unexpected = [...new Set(cards)].filter(
    (name) => forbidden.has(name) || (expectation.exactly === true && !allowed.has(name)),
  );
  return { passed: missing.length === 0 && unexpected.length === 0, missing, unexpected };
}

/** The cards one scenario's hook call returns under a rule set (in-process, with the scenario's `now` as the clock). */
export async function scenarioCards(scenario: Scenario, ruleSet: RuleSet): Promise<Card[]> {
  const deps: HookCallDependencies = { ruleSet, fetchSettings: NO_FETCH, now: () => new Date(scenario.now) };
  const { response } = await handleHookCall(scenario.hook, buildHookRequest(scenario, ruleSet), deps);
  return response.cards;
}

/** Runs one scenario in-process through handleHookCall and compares its cards with the expectation. */
export async function runScenario(scenario: Scenario & { file?: string }, ruleSet: RuleSet): Promise<ScenarioResult> {
  const base = { name: scenario.name, file: scenario.file ?? '', hook: scenario.hook, now: scenario.now };
  try {
    const cards = ruleNamesOf({ cards: await scenarioCards(scenario, ruleSet) });
    return { ...base, cards, ...compareCards(scenario.expect, cards) };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ...base, cards: [], passed: false, missing: [...scenario.expect.cards], unexpected: [], error: message };
  }
}

async function runScenarios(
  scenarios: Array<Scenario & { file?: string }>,
  ruleSet: RuleSet,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) results.push(await runScenario(scenario, ruleSet));
  return results;
}

/** Loads, checks and runs every scenario file; problems stop the run before anything is evaluated. */
export async function testScenarioFiles(
  rulesDir: string,
  ruleSet: RuleSet,
  files?: string[],
): Promise<{ problems: ScenarioProblem[]; results: ScenarioResult[] }> {
  const { scenarios, problems } = loadScenarios(rulesDir, files, ruleSet);
  if (problems.length > 0) return { problems, results: [] };
  return { problems, results: await runScenarios(scenarios, ruleSet) };
}

/** One scenario's outcome as text: a line for a pass, the difference for a failure. */
export function formatScenarioResult(result: ScenarioResult): string {
  const title = `${result.file ? `${result.file} › ` : ''}${result.name} [${result.hook} at ${result.now}]`;
  if (result.passed) return `PASS ${title}`;
  const lines = [`FAIL ${title}`];
  if (result.error) lines.push(`     the hook call failed: ${result.error}`);
  if (result.missing.length > 0) lines.push(`   - missing (expected, not shown): ${result.missing.join(', ')}`);
  if (result.unexpected.length > 0) lines.push(`   + unexpected (shown, must not be): ${result.unexpected.join(', ')}`);
  if (!result.error)
    lines.push(`     cards shown, in order: ${result.cards.length > 0 ? result.cards.join(', ') : '(none)'}`);
  return lines.join('\n');
}

/** The whole run as text: failures in full, passes as one line each, and a count. */
export function formatScenarioReport(results: ScenarioResult[]): string {
  const failed = results.filter((result) => !result.passed);
  return [
    ...results.map(formatScenarioResult),
    '',
    `${results.length - failed.length} passed, ${failed.length} failed, ${results.length} scenario(s)`,
  ].join('\n');
}
