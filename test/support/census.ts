import fs from 'node:fs';
import path from 'node:path';

/**
 * test/fixtures/synthea-r4-code-census.json: every coded concept in the Condition, Observation (code and components),
 * MedicationRequest and Procedure resources of 615 Synthea R4 patients (smart-on-fhir generated-sample-data,
 * Apache-2.0), with patient counts and statuses. No patient data.
 */
export interface CensusConcept {
  resourceType: 'Condition' | 'Observation' | 'MedicationRequest' | 'Procedure';
  /** `code`, `medication`, or `component of <panel LOINC>`. */
  element: string;
  system: string;
  code: string;
  display: string;
  statuses?: Record<string, number>;
  patients: number;
}

export const CENSUS: readonly CensusConcept[] = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'synthea-r4-code-census.json'), 'utf8')) as {
    concepts: CensusConcept[];
  }
).concepts;

/** The panel an Observation component belongs to (`component of 55284-4` → 55284-4). */
export const panelOf = (concept: CensusConcept): string | undefined => /^component of (.+)$/.exec(concept.element)?.[1];
