import type {
  Bundle,
  CodeableConcept,
  Coding,
  Medication,
  MedicationIngredient,
  MedicationRequest,
  Resource,
  ValueSet,
} from '@medplum/fhirtypes';
import { codingsOf } from '../fhir/terminology';
import type { DraftOrder } from './facts';
import { containedMedication } from './medication-concept';
import { type CodeMatcher } from './code-index';
import { ingredientNamesOf } from './ingredient-names';

/**
 * An order ValueSet (fhir-profiles/valuesets) and the modality a draft order in it belongs to: a pathway treatment
 * (ServiceRequest drafts) or a drug class (MedicationRequest drafts). The list is rules/shared.json `orderModalities`.
 */
export interface OrderModality {
  valueSet: string;
  modality: string;
}

type Orderable = Resource & { code?: CodeableConcept };

/** The terminology draft orders are recognised with: ValueSet membership, and the ValueSets themselves. */
export type DrugClassTerminology = CodeMatcher & { get(valueSet: string): ValueSet | undefined };

/**
 * The orders a hook call is about: for order-select only the selected drafts (the others were already
 * discussed), for order-sign every draft.
 */
export function recogniseDraftOrders(
  draftOrders: Bundle | undefined,
  selections: string[] | undefined,
  terminology: DrugClassTerminology,
  modalities: readonly OrderModality[],
): DraftOrder[] {
  const wanted = selections ? new Set(selections) : undefined;
  const entries = draftOrders?.entry ?? [];
  return entries.flatMap((entry) => {
    const resource = entry.resource as Orderable | undefined;
    if (!resource) return [];
    // A draft without an id is still checked (it cannot be selected, nor deleted by a suggestion).
    const reference = resource.id ? `${resource.resourceType}/${resource.id}` : undefined;
    if (wanted && (reference === undefined || !wanted.has(reference))) return [];
    const ordered = orderedItem(resource, entries);
    // What the card names: the draft's text, else its first coding display (request JSON: only texts count).
    const display = namesOf([ordered.concept])[0];
    return modalities.flatMap(({ valueSet, modality }) => {
      const recognised = recognise(ordered, valueSet, terminology);
      if (!recognised) return [];
      const shown = display ?? recognised.coding?.code ?? modality;
      return [{ modality, display: shown, ...recognised.how, ...(reference ? { reference } : {}) }];
    });
  });
}

/** What a draft orders: its code and, for a medication, the ingredients of its Medication resource. */
interface OrderedItem {
  concept?: CodeableConcept;
  /** Only a medication is recognised by ingredients (a procedure's name may mention a drug it uses). */
  medication: boolean;
  ingredients: CodeableConcept[];
  /** The medication's and its ingredients' names (texts and displays), read once for every drug class. */
  names: string[];
}

/**
 * Whether the ordered item belongs to the ValueSet: by its code; else by an ingredient's code (a Medication's
 * ingredients); else by an ingredient name the ValueSet declares, in the item's or an ingredient's name.
 */
function recognise(
  item: OrderedItem,
  valueSet: string,
  terminology: DrugClassTerminology,
): { coding?: Coding; how?: { recognisedBy: string } } | undefined {
  const coding = terminology.match(item.concept, valueSet);
  if (coding || !item.medication) return coding ? { coding } : undefined;
  for (const ingredient of item.ingredients) {
    const ingredientCoding = terminology.match(ingredient, valueSet);
    if (ingredientCoding) return { how: { recognisedBy: `ingredient code: ${codingLabel(ingredientCoding)}` } };
  }
  const definition = terminology.get(valueSet);
  const name = definition && ingredientNamesOf(definition)?.find(item.names);
  return name ? { how: { recognisedBy: `ingredient name: ${name}` } } : undefined;
}

function codingLabel(coding: Coding): string {
  return coding.display ? `${coding.display} (${coding.code})` : String(coding.code);
}

/** The texts and coding displays of the concepts (request JSON: anything that is not text is skipped). */
function namesOf(concepts: Array<CodeableConcept | undefined>): string[] {
  return concepts.flatMap((concept) =>
    [concept?.text, ...codingsOf(concept).map((coding) => coding?.display)].filter(
      (text): text is string => typeof text === 'string',
    ),
  );
}

/**
 * What a draft orders: a ServiceRequest's code; a MedicationRequest's medication, from a contained Medication or one
 * sent beside it in the draft orders Bundle (`Medication/id`, or the entry's fullUrl), with that Medication's
 * ingredients.
 */
function orderedItem(resource: Orderable, entries: NonNullable<Bundle['entry']>): OrderedItem {
  if (resource.resourceType !== 'MedicationRequest')
    return { concept: resource.code, medication: false, ingredients: [], names: [] };
  const request = resource as MedicationRequest;
  const reference = request.medicationReference?.reference;
  const medication =
    containedMedication(request) ??
    (entries.find(
      ({ resource: other, fullUrl }) =>
        other?.resourceType === 'Medication' &&
        reference !== undefined &&
        (reference === `Medication/${other.id}` || reference === fullUrl),
    )?.resource as Medication | undefined);
  const concept = request.medicationCodeableConcept ?? medication?.code;
  const ingredients = ingredientsOf(medication);
  return { concept, medication: true, ingredients, names: namesOf([concept, ...ingredients]) };
}

function ingredientsOf(medication: Medication | undefined): CodeableConcept[] {
  const ingredients: unknown = medication?.ingredient;
  if (!Array.isArray(ingredients)) return [];
  return (ingredients as MedicationIngredient[]).flatMap((ingredient) => {
    const item = ingredient?.itemCodeableConcept ?? ingredient?.itemReference;
    if (!item || typeof item !== 'object') return [];
    // An ingredient given as a reference has no code here; its display may still name the substance.
    return ['display' in item ? { text: item.display } : item];
  });
}
