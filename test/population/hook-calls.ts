import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { GeneratedPatient } from './generate-patients';

function searchset(resources: Resource[], type: string): Bundle {
  const entry = resources.filter((r) => r.resourceType === type).map((resource) => ({ resource }));
  return { resourceType: 'Bundle', type: 'searchset', total: entry.length, entry };
}

/** The hook calls made for a generated patient: patient-view with a full prefetch, and order-sign when it has an order. */
export function populationRequests(patient: GeneratedPatient): Array<{ hook: string; body: unknown }> {
  const { id, resources } = patient;
  const prefetch = {
    patient: resources[0],
    conditions: searchset(resources, 'Condition'),
    observations: searchset(resources, 'Observation'),
    procedures: searchset(resources, 'Procedure'),
    medications: searchset(resources, 'MedicationRequest'),
  };
  const base = { context: { userId: 'Practitioner/population', patientId: id }, prefetch };
  const calls: Array<{ hook: string; body: unknown }> = [
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

export const SERVICE_OF: Record<string, string> = {
  'patient-view': 'spine-patient-view',
  'order-sign': 'spine-order-sign',
};
