import { randomUUID } from 'node:crypto';
import type { Bundle } from '@medplum/fhirtypes';
import { dataRequirements, type PrefetchSource } from '../../cds/services';
import { prefetchFor } from './prefetch-for';
import type { Scenario } from './types';

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
