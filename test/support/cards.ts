/** Reading cards as the service documents them (README, "Cards"): its rules and cited records are in `extension`. */

interface CardLike {
  detail?: string;
  source?: { topic?: { code?: string } };
  extension?: Record<string, unknown>;
}

/** The records a card cites (`spine-cds.citations`), as relative references. */
export function citedReferences(card: CardLike | undefined): string[] {
  const cited = card?.extension?.['spine-cds.citations'];
  return Array.isArray(cited) ? cited.map((entry: { reference: string }) => entry.reference) : [];
}

/** The card that carries a rule: its own, or the card of the group that gathered it (`spine-cds.rules`). */
export function cardOfRule<T extends CardLike>(cards: T[], rule: string): T | undefined {
  return cards.find((card) => {
    const rules = card.extension?.['spine-cds.rules'];
    return Array.isArray(rules) ? rules.includes(rule) : card.source?.topic?.code === rule;
  });
}

/** A FHIR relative reference (Type/id) in visible prose. */
const REFERENCED_TYPES = [
  'Patient',
  'Condition',
  'Observation',
  'Procedure',
  'MedicationRequest',
  'Medication',
  'ServiceRequest',
  'Encounter',
  'Practitioner',
];
export const FHIR_REFERENCE = new RegExp(`\\b(?:${REFERENCED_TYPES.join('|')})\\/[A-Za-z0-9\\-.]+`);
