import type { Fact, Facts } from '../computed-fact';
import type { PatientRecord } from '../patient-record';
import { conditionFacts } from './conditions';
import type { FactContext, FactDefinition } from './definition';
import { episodeFacts } from './episode';
import { historyFacts } from './history';
import { measurementFacts } from './measurements';
import { orderFacts } from './orders';
import { personFacts } from './person';
import { recordedStatusFacts } from './recorded-status';

export type { DraftOrder, FactContext, FactDefinition, ParameterValues } from './definition';

/** Every fact the rules may use, by id. Rule packs naming any other fact are rejected at load. */
export const FACT_DEFINITIONS: ReadonlyMap<string, FactDefinition> = new Map(
  [
    ...personFacts,
    ...episodeFacts,
    ...measurementFacts,
    ...conditionFacts,
    ...historyFacts,
    ...orderFacts,
    ...recordedStatusFacts,
  ].map((fact) => [fact.id, fact]),
);

/**
 * Computes every fact. A fact whose computation fails becomes unknown with the reason, so one bad resource
 * costs one fact, never the whole response.
 */
export function computeFacts(record: PatientRecord, context: FactContext): Facts {
  const facts: Facts = {};
  for (const definition of FACT_DEFINITIONS.values()) {
    facts[definition.id] = safely(definition, record, context);
  }
  return facts;
}

function safely(definition: FactDefinition, record: PatientRecord, context: FactContext): Fact {
  try {
    return definition.compute(record, context);
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
] as const;
