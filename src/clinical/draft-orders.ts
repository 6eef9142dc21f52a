import type { Bundle, CodeableConcept, Medication, MedicationRequest, Resource } from '@medplum/fhirtypes';
import type { DraftOrder } from './facts';
import { medicationConcept } from './medication-concept';
import { type CodeMatcher } from './code-index';

/**
 * Which order ValueSet (fhir-profiles/valuesets) makes a draft order belong to which modality: pathway treatments
 * (ServiceRequest drafts) and drug classes (MedicationRequest drafts).
 */
const ORDER_MODALITIES: ReadonlyArray<{ valueSet: string; modality: string }> = [
  { valueSet: 'spinal-traction', modality: 'traction' },
  { valueSet: 'inversion-therapy', modality: 'inversion' },
  { valueSet: 'epidural-steroid-injection', modality: 'injection' },
  { valueSet: 'physiotherapy-referral', modality: 'physiotherapy' },
  { valueSet: 'spine-surgery-referral', modality: 'surgery' },
  { valueSet: 'lumbar-spine-mri', modality: 'imaging' },
  { valueSet: 'opioid-medication', modality: 'opioid' },
  { valueSet: 'gabapentinoid-medication', modality: 'gabapentinoid' },
  { valueSet: 'antiepileptic-medication', modality: 'antiepileptic' },
  { valueSet: 'ssri-snri-medication', modality: 'ssri-snri' },
  { valueSet: 'tricyclic-antidepressant-medication', modality: 'tricyclic' },
  { valueSet: 'benzodiazepine-medication', modality: 'benzodiazepine' },
  { valueSet: 'oral-corticosteroid-medication', modality: 'oral-corticosteroid' },
  { valueSet: 'paracetamol-medication', modality: 'paracetamol' },
  { valueSet: 'nsaid-medication', modality: 'nsaid' },
  { valueSet: 'skeletal-muscle-relaxant-medication', modality: 'muscle-relaxant' },
];

type Orderable = Resource & { code?: CodeableConcept };

/**
 * The orders a hook call is about: for order-select only the selected drafts (the others were already
 * discussed), for order-sign every draft.
 */
export function recogniseDraftOrders(
  draftOrders: Bundle | undefined,
  selections: string[] | undefined,
  terminology: CodeMatcher,
): DraftOrder[] {
  const wanted = selections ? new Set(selections) : undefined;
  const entries = draftOrders?.entry ?? [];
  return entries.flatMap((entry) => {
    const resource = entry.resource as Orderable | undefined;
    if (!resource) return [];
    // A draft without an id is still checked (it cannot be selected, nor deleted by a suggestion).
    const reference = resource.id ? `${resource.resourceType}/${resource.id}` : undefined;
    if (wanted && (reference === undefined || !wanted.has(reference))) return [];
    const concept = orderedConcept(resource, entries);
    return ORDER_MODALITIES.flatMap(({ valueSet, modality }) => {
      const coding = terminology.match(concept, valueSet);
      const display = concept?.text ?? coding?.display ?? coding?.code ?? modality;
      return coding ? [{ modality, display, ...(reference ? { reference } : {}) }] : [];
    });
  });
}

/**
 * What a draft orders: a ServiceRequest's code; a MedicationRequest's medication, also when it references a
 * Medication sent beside it in the draft orders Bundle (`Medication/id`, or the entry's fullUrl).
 */
function orderedConcept(resource: Orderable, entries: NonNullable<Bundle['entry']>): CodeableConcept | undefined {
  if (resource.resourceType !== 'MedicationRequest') return resource.code;
  const request = resource as MedicationRequest;
  const reference = request.medicationReference?.reference;
  const sentBeside = entries.find(
    ({ resource: other, fullUrl }) =>
      other?.resourceType === 'Medication' &&
      reference !== undefined &&
      (reference === `Medication/${other.id}` || reference === fullUrl),
  )?.resource as Medication | undefined;
  return medicationConcept(request) ?? sentBeside?.code;
}
