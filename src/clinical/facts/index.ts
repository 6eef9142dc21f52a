import type { Fact, Facts } from '../computed-fact';
import type { PatientRecord } from '../patient-record';
import { conditionFacts } from './conditions';
import type { FactCatalogue, FactContext, FactDefinition } from './definition';
import { episodeFacts } from './episode';
import { historyFacts } from './history';
import { measurementFacts } from './measurements';
import { orderFacts } from './orders';
import { personFacts } from './person';
import { recordedStatusFacts } from './recorded-status';
import { uncheckedFacts } from './unchecked';

export type {
  DaysSpec,
  DraftOrder,
  FactCatalogue,
  FactContext,
  FactDefinition,
  ParameterValues,
  ValueSetLists,
} from './definition';
export { REQUIRED_VALUESET_LISTS } from './definition';
export { declaredFactDefinition, type DeclaredFact } from './declared';
export { uncheckedFacts } from './unchecked';

/**
 * The built-in facts, by id. A rule set adds those declared in rules/facts.json (RuleSet.facts); rule packs naming
 * any other fact are rejected at load.
 */
export const FACT_DEFINITIONS: FactCatalogue = new Map(
  [
    ...personFacts,
    ...episodeFacts,
    ...measurementFacts,
    ...conditionFacts,
    ...historyFacts,
    ...orderFacts,
    ...recordedStatusFacts,
    // Last: it reads the facts above.
    uncheckedFacts,
  ].map((fact) => [fact.id, fact]),
);

/**
 * Computes every fact of the rule set's catalogue. A fact whose computation fails becomes unknown with the reason,
 * so one bad resource costs one fact, never the whole response.
 */
export function computeFacts(record: PatientRecord, context: FactContext, catalogue: FactCatalogue): Facts {
  const facts: Facts = {};
  for (const definition of catalogue.values()) {
    facts[definition.id] = safely(definition, record, context, facts);
  }
  return facts;
}

function safely(definition: FactDefinition, record: PatientRecord, context: FactContext, computed: Facts): Fact {
  try {
    return definition.compute(record, context, computed);
  } catch (error) {
    // Cards get plain words; the technical reason is kept for `rules explain`, never shown to clinicians.
    return {
      value: null,
      cites: [],
      missing: "could not be worked out from this patient's data",
      error: (error as Error).message,
    };
  }
}

/** Parameters (rules/parameters.json) the fact computations read; the rule set must define them. */
export const REQUIRED_PARAMETERS = [
  'acuteMaxWeeks',
  'chronicAfterWeeks',
  'conservativeCareMinWeeks',
  'escalationScoreMaxAgeDays',
  'newEpisodeGapWeeks',
  'painScoreMaxAgeDays',
  'vitalsMaxAgeDays',
  'pregnancyPositiveMaxAgeDays',
  'pregnancyNegativeMaxAgeDays',
  'pregnancyPossibleMinAge',
  'pregnancyPossibleMaxAge',
  'systolicPlausibleMin',
  'systolicPlausibleMax',
  'diastolicPlausibleMin',
  'diastolicPlausibleMax',
  'bmiPlausibleMin',
  'bmiPlausibleMax',
  'painScoreScaleMin',
  'painScoreScaleMax',
  'disabilityIndexScaleMin',
  'disabilityIndexScaleMax',
  'startBackTotalScaleMin',
  'startBackTotalScaleMax',
  'startBackPsychosocialScaleMin',
  'startBackPsychosocialScaleMax',
  'tScorePlausibleMin',
  'tScorePlausibleMax',
] as const;
