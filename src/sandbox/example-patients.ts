import type { Resource } from '@medplum/fhirtypes';
import examples from './patients.json';
import { resolveRelativeDates } from './relative-dates';

/** One synthetic patient of the sandbox (src/sandbox/patients.json). */
export interface ExamplePatient {
  id: string;
  /** Their situation in one line, for picking them in the simulator. */
  story: string;
  /** The rules/scenarios case the record was taken from. */
  scenario: string;
  resources: Resource[];
}

/** The example patients with their dates resolved against `today`. */
export function examplePatients(today: Date): ExamplePatient[] {
  return resolveRelativeDates(examples.patients as ExamplePatient[], today);
}
