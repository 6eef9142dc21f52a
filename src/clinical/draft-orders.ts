import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { DraftOrder } from './facts';
import type { CodeMatcher } from './patient-record';

/** Which order ValueSet (fhir-profiles/valuesets) makes a draft order belong to which pathway modality. */
const ORDER_MODALITIES: ReadonlyArray<{ valueSet: string; modality: string }> = [
  { valueSet: 'spinal-traction', modality: 'traction' },
  { valueSet: 'inversion-therapy', modality: 'inversion' },
  { valueSet: 'epidural-steroid-injection', modality: 'injection' },
  { valueSet: 'physiotherapy-referral', modality: 'physiotherapy' },
  { valueSet: 'spine-surgery-referral', modality: 'surgery' },
  { valueSet: 'lumbar-spine-mri', modality: 'imaging' },
];

type Orderable = Resource & {
  code?: { coding?: Array<{ system?: string; code?: string; display?: string }>; text?: string };
};

/**
 * The pathway orders a hook call is about: for order-select only the selected drafts (the others were
 * already discussed), for order-sign every draft.
 */
export function recognisePathwayOrders(
  draftOrders: Bundle | undefined,
  selections: string[] | undefined,
  terminology: CodeMatcher,
): DraftOrder[] {
  const wanted = selections ? new Set(selections) : undefined;
  return (draftOrders?.entry ?? []).flatMap((entry) => {
    const resource = entry.resource as Orderable | undefined;
    if (!resource) return [];
    // A draft without an id is still checked (it cannot be selected, nor deleted by a suggestion).
    const reference = resource.id ? `${resource.resourceType}/${resource.id}` : undefined;
    if (wanted && (reference === undefined || !wanted.has(reference))) return [];
    return ORDER_MODALITIES.flatMap(({ valueSet, modality }) => {
      const coding = terminology.match(resource.code, valueSet);
      const display = resource.code?.text ?? coding?.display ?? coding?.code ?? modality;
      return coding ? [{ modality, display, ...(reference ? { reference } : {}) }] : [];
    });
  });
}
