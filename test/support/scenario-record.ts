import type { Condition, MedicationRequest, Observation, Patient, Procedure, Resource } from '@medplum/fhirtypes';
import type { Scenario } from '../../src/cli/scenarios/types';
import type { RecordData } from '../../src/clinical/patient-record';

/** A scenario's resources as the patient record the facts read, every kind of data available. */
export function scenarioRecordData(scenario: Scenario): RecordData {
  const of = <T extends Resource>(type: T['resourceType']) =>
    scenario.resources.filter((resource): resource is T => resource.resourceType === type);
  const available = { available: true, source: 'prefetch' } as const;
  return {
    patient: of<Patient>('Patient')[0],
    conditions: of<Condition>('Condition'),
    observations: of<Observation>('Observation'),
    procedures: of<Procedure>('Procedure'),
    medications: of<MedicationRequest>('MedicationRequest'),
    status: Object.fromEntries(
      ['patient', 'conditions', 'observations', 'procedures', 'medications'].map((key) => [key, available]),
    ),
  };
}
