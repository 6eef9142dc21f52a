import { createHash } from 'node:crypto';
import path from 'node:path';
import { didYouMean } from '../rules/did-you-mean';
import { isObject, type JsonObject } from '../json-value';
import { listJsonFiles, readJsonFile, type FileProblem } from '../json-file';
import { schemaProblems } from '../rules/schema-check';

/**
 * Shared scenario resources (rules/scenarios/fixtures/*.json). The same diagnosis or pain score appears in many
 * scenarios, so it is written once, by name, and a scenario lists the name where the resource would stand. Each use
 * becomes the scenario's own resource: the scenario's patient is its subject (a Patient fixture becomes that
 * patient) and its id joins the patient's id and the fixture name, so no two scenarios share an id (the tests load
 * every scenario into one FHIR server).
 */

export interface Fixture {
  name: string;
  file: string;
  resource: JsonObject;
}

const FIXTURES_SCHEMA = 'scenario-fixtures';
const MAX_ID_LENGTH = 64;

/**
 * Every fixture, with the names of those that break the schema: they are still given to the scenarios that name
 * them, whose checks then skip them, so one mistake in a fixture is one problem however many scenarios use it.
 */
export function loadFixtures(
  scenariosDir: string,
  relative: (file: string) => string,
): { fixtures: Map<string, Fixture>; broken: Set<string>; problems: FileProblem[] } {
  const fixtures = new Map<string, Fixture>();
  const broken = new Set<string>();
  const problems: FileProblem[] = [];
  for (const file of listJsonFiles(path.join(scenariosDir, 'fixtures'))) {
    const display = relative(file);
    const { value, problem } = readJsonFile(file, display);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const found = schemaProblems(FIXTURES_SCHEMA, value, display);
    const resources = isObject(value) && isObject(value.resources) ? value.resources : {};
    for (const [name, resource] of Object.entries(resources)) {
      if (!isObject(resource)) continue;
      for (const field of ['id', 'subject'].filter((key) => key in resource)) {
        const message = `must not be given: each scenario that names the fixture gives its copy its own ${field}`;
        found.push({ file: display, path: `resources.${name}.${field}`, code: 'invalid-scenario', message });
      }
      if (found.some((p) => p.path === `resources.${name}` || p.path.startsWith(`resources.${name}.`)))
        broken.add(name);
      const other = fixtures.get(name);
      if (other)
        problems.push({
          file: display,
          path: `resources.${name}`,
          code: 'duplicate-name',
          message: `is already defined in ${other.file}`,
        });
      else fixtures.set(name, { name, file: display, resource });
    }
    problems.push(...found);
  }
  return { fixtures, broken, problems };
}

/** The scenario's own copy of a fixture. */
function instantiate(fixture: Fixture, patientId: string): JsonObject {
  const { resourceType, ...rest } = fixture.resource;
  if (resourceType === 'Patient') return { resourceType, id: patientId, ...rest };
  const joined = `${patientId}-${fixture.name}`;
  const nameHash = createHash('sha256').update(fixture.name).digest('hex').slice(0, 8);
  const id = joined.length <= MAX_ID_LENGTH ? joined : `${patientId.slice(0, MAX_ID_LENGTH - 9)}-${nameHash}`;
  return { resourceType, id, ...rest, subject: { reference: `Patient/${patientId}` } };
}

/**
 * A scenario file with every fixture name in `resources` replaced by the scenario's copy of it; names that are not
 * fixtures are reported (with the nearest name) and left out, so the schema check that follows sees plain FHIR.
 * `fromBroken` lists where copies of broken fixtures now stand: their problems were reported at the fixture.
 */
export function expandFixtures(
  value: unknown,
  { fixtures, broken }: { fixtures: Map<string, Fixture>; broken: Set<string> },
  display: string,
): { value: unknown; problems: Array<FileProblem & { scenario?: string }>; fromBroken: string[] } {
  const problems: Array<FileProblem & { scenario?: string }> = [];
  const fromBroken: string[] = [];
  if (!isObject(value) || !Array.isArray(value.scenarios)) return { value, problems, fromBroken };
  const scenarios = value.scenarios.map((scenario: unknown, index) => {
    if (!isObject(scenario) || !Array.isArray(scenario.resources) || typeof scenario.patientId !== 'string')
      return scenario;
    const patientId = scenario.patientId;
    const resources = scenario.resources.flatMap((resource: unknown, at) => {
      if (typeof resource !== 'string') return [resource];
      const fixture = fixtures.get(resource);
      if (fixture && broken.has(resource)) fromBroken.push(`scenarios[${index}].resources[${at}]`);
      if (fixture) return [instantiate(fixture, patientId)];
      problems.push({
        file: display,
        scenario: typeof scenario.name === 'string' ? scenario.name : undefined,
        path: `scenarios[${index}].resources[${at}]`,
        code: 'unknown-fixture',
        message:
          `no fixture is named "${resource}" in rules/scenarios/fixtures` + didYouMean(resource, fixtures.keys()),
      });
      return [];
    });
    return { ...scenario, resources };
  });
  return { value: { ...value, scenarios }, problems, fromBroken };
}
