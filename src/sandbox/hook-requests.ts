import { randomUUID } from 'node:crypto';
import type { Bundle, MedicationRequest, ServiceRequest } from '@medplum/fhirtypes';
import { renderPrefetchTemplate } from '../cds/prefetch-template';
import { dataRequirements, type PrefetchSource } from '../cds/services';
import type { HookName } from '../cds/protocol/hooks';
import type { HookRequest } from '../cds/types';
import type { Terminology } from '../fhir/terminology';

/** How much of the service's prefetch the simulated EHR sends; the service reads the rest from fhirServer. */
export const PREFETCH_MODES = ['full', 'partial', 'none'] as const;
export type PrefetchMode = (typeof PREFETCH_MODES)[number];

/** Draft orders the simulator offers, each coded with the first code of the service's own ValueSet. */
export const DRAFT_ORDER_KINDS = [
  { key: 'physiotherapy', label: 'Physiotherapy referral', valueSet: 'physiotherapy-referral' },
  { key: 'injection', label: 'Epidural steroid injection', valueSet: 'epidural-steroid-injection' },
  { key: 'traction', label: 'Traction / non-surgical decompression', valueSet: 'spinal-traction' },
  { key: 'mri', label: 'Lumbar spine MRI', valueSet: 'lumbar-spine-mri' },
  { key: 'surgery', label: 'Spine surgery referral', valueSet: 'spine-surgery-referral' },
  { key: 'opioid', label: 'Opioid prescription', valueSet: 'opioid-medication', prescription: true },
] as const;
export type DraftOrderKind = (typeof DRAFT_ORDER_KINDS)[number]['key'];

/** The simulated clinician. */
const USER_ID = 'Practitioner/sandbox-clinician';

export interface SimulatedCall {
  hook: HookName;
  patientId: string;
  /** For order-select and order-sign. */
  order?: DraftOrderKind;
  prefetch: PrefetchMode;
}

export function draftOrder(
  kind: DraftOrderKind,
  patientId: string,
  terminology: Terminology,
): ServiceRequest | MedicationRequest {
  const known = DRAFT_ORDER_KINDS.find((candidate) => candidate.key === kind);
  if (!known) throw new Error(`unknown draft order kind "${kind}"`);
  const { valueSet, label } = known;
  const coding = terminology.firstCoding(valueSet);
  const draft = {
    id: `draft-${kind}`,
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${patientId}` },
  } as const;
  const concept = { coding: coding ? [coding] : [], text: coding?.display ?? label };
  // A prescription is drafted as an EHR's prescribing screen (the CDS Hooks Sandbox's Rx View) drafts it.
  return 'prescription' in known
    ? { resourceType: 'MedicationRequest', ...draft, medicationCodeableConcept: concept }
    : { resourceType: 'ServiceRequest', ...draft, code: concept };
}

/** The CDS Hooks request an EHR on `fhirBaseUrl` would send, with the prefetch it would have read there. */
export async function buildHookRequest(
  call: SimulatedCall,
  fhirBaseUrl: string,
  ruleSet: PrefetchSource,
): Promise<HookRequest> {
  const context: HookRequest['context'] = { userId: USER_ID, patientId: call.patientId };
  if (call.hook !== 'patient-view' && call.order) {
    const order = draftOrder(call.order, call.patientId, ruleSet.terminology);
    const draftOrders: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: order }] };
    context.draftOrders = draftOrders;
    if (call.hook === 'order-select') context.selections = [`${order.resourceType}/${order.id}`];
  }
  return {
    hook: call.hook,
    hookInstance: randomUUID(),
    fhirServer: fhirBaseUrl,
    context,
    prefetch: await readPrefetch(call.prefetch, context, fhirBaseUrl, ruleSet),
  };
}

/** full: every prefetch key; partial: only the indispensable ones (Patient, Conditions); none: nothing. */
async function readPrefetch(
  mode: PrefetchMode,
  context: HookRequest['context'],
  fhirBaseUrl: string,
  ruleSet: PrefetchSource,
): Promise<Record<string, unknown>> {
  if (mode === 'none') return {};
  const wanted = dataRequirements(ruleSet).filter((requirement) => mode === 'full' || requirement.required);
  const entries = await Promise.all(
    wanted.map(async (requirement) => {
      const query = renderPrefetchTemplate(requirement.template, context);
      const response = await fetch(`${fhirBaseUrl}/${query}`, { headers: { accept: 'application/fhir+json' } });
      if (!response.ok) throw new Error(`the sandbox FHIR server answered ${response.status} to ${query}`);
      return [requirement.key, await response.json()] as const;
    }),
  );
  return Object.fromEntries(entries);
}
