import type { MedicationRequest, Resource, ServiceRequest } from '@medplum/fhirtypes';
import type { HookName } from '../../cds/protocol/hooks';
import type { FileProblem } from '../../json-file';

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
