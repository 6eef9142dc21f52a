import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { GeneratedPatient } from './generate-patients';

export type PopulationHook = 'patient-view' | 'order-sign';

/** The CDS Hooks service answering each hook a population patient is sent. */
export const SERVICE_OF: Record<PopulationHook, string> = {
  'patient-view': 'spine-patient-view',
  'order-sign': 'spine-order-sign',
};

function searchset(resources: Resource[], type: string): Bundle {
  const entry = resources.filter((r) => r.resourceType === type).map((resource) => ({ resource }));
  return { resourceType: 'Bundle', type: 'searchset', total: entry.length, entry };
}

/** What an EHR sends for a population patient: patient-view, and order-sign when the patient has a draft order. */
export function populationRequests(patient: GeneratedPatient): Array<{ hook: PopulationHook; body: unknown }> {
  const { id, resources } = patient;
  const prefetch = {
    patient: resources[0],
    conditions: searchset(resources, 'Condition'),
    observations: searchset(resources, 'Observation'),
    procedures: searchset(resources, 'Procedure'),
    medications: searchset(resources, 'MedicationRequest'),
  };
  const base = { context: { userId: 'Practitioner/population', patientId: id }, prefetch };
  const calls: Array<{ hook: PopulationHook; body: unknown }> = [
    { hook: 'patient-view', body: { hook: 'patient-view', hookInstance: crypto.randomUUID(), ...base } },
  ];
  if (patient.order) {
    const draftOrders = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient.order.resource }] };
    calls.push({
      hook: 'order-sign',
      body: {
        hook: 'order-sign',
        hookInstance: crypto.randomUUID(),
        ...base,
        context: { ...base.context, draftOrders },
      },
    });
  }
  return calls;
}
