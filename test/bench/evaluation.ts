import type { CodeableConcept, Resource } from '@medplum/fhirtypes';
import { selectCards } from '../../src/cds/cards/select-cards';
import { findContraindications } from '../../src/cds/cards/contraindication-statement';
import { renderCard } from '../../src/cds/cards/render-card';
import { assessHookCall, type HookCallDependencies } from '../../src/cds/hook-service';
import { computeFacts } from '../../src/clinical/facts';
import { PatientRecord, type RecordData } from '../../src/clinical/patient-record';
import { evaluateRules } from '../../src/rules/evaluate';
import type { RuleSet } from '../../src/rules/load-rule-set';
import { benchPatient, hookBody, resourceCount, shapeOfSize, TYPICAL_SHAPE, type PatientShape } from './bench-patients';
import { forceGc, percentile, timeLoop } from './measure';

export interface EvaluationRow {
  label: string;
  resources: number;
  iterations: number;
  /** assessHookCall with a full prefetch: parse, prefetch plan, record, facts, rules, cards. */
  medianMs: number;
  p95Ms: number;
  /** The pieces of the median call, measured separately on the same data. */
  factsMs: number;
  rulesMs: number;
  cardsMs: number;
  /** medianMs per resource, in microseconds. */
  perResourceUs: number;
  /**
   * A plain loop over the same resources that reads each one's first code and date, per resource: memory caches
   * make even this grow with the chart's size, so evaluation ÷ scan is the measure of how the algorithm scales.
   */
  scanPerResourceUs: number;
  cards: number;
}

export interface EvaluationOptions {
  ruleSet: RuleSet;
  now: Date;
  /** Minimum measuring time per size. */
  budgetMs: number;
}

/**
 * Evaluation alone, in process: no HTTP, no JSON parsing. The typical chart, then charts of growing size in the
 * heavy chart's proportions, so the per-resource cost shows whether the cost grows linearly.
 */
export async function benchEvaluation(sizes: number[], options: EvaluationOptions): Promise<EvaluationRow[]> {
  const rows = [await measureChart('typical', TYPICAL_SHAPE, options)];
  for (const size of sizes) rows.push(await measureChart(size.toLocaleString('en-US'), shapeOfSize(size), options));
  return rows;
}

async function measureChart(label: string, shape: PatientShape, options: EvaluationOptions): Promise<EvaluationRow> {
  const resources = benchPatient('p-bench', shape, options.now);
  const body = hookBody('p-bench', { resources });
  const deps: HookCallDependencies = {
    ruleSet: options.ruleSet,
    fetchSettings: {
      deadlineMs: 1000,
      maxPages: 1,
      maxResponseBytes: 1,
      refuseFhirServer: () => 'the benchmark fetches nothing',
    },
    now: () => options.now,
  };
  forceGc();
  const first = await assessHookCall('patient-view', body, deps);
  const total = await warmThenTime(() => assessHookCall('patient-view', body, deps), options.budgetMs);
  const pieces = await measurePieces(resources, options);
  const scan = await warmThenTime(async () => plainScan(resources), options.budgetMs / 4);
  return {
    label,
    resources: resourceCount(shape),
    iterations: total.length,
    medianMs: percentile(total, 50),
    p95Ms: percentile(total, 95),
    ...pieces,
    perResourceUs: (percentile(total, 50) * 1000) / resourceCount(shape),
    scanPerResourceUs: (percentile(scan, 50) * 1000) / resourceCount(shape),
    cards: first.response.cards.length,
  };
}

/** A quarter of the budget to let the JIT settle (large charts run only a few calls), then the timed calls. */
async function warmThenTime(work: () => Promise<unknown>, budgetMs: number): Promise<number[]> {
  await timeLoop(work, budgetMs / 4);
  forceGc();
  return timeLoop(work, budgetMs);
}

function plainScan(resources: Resource[]): number {
  let seen = 0;
  for (const resource of resources) {
    const coded = resource as {
      code?: CodeableConcept;
      medicationCodeableConcept?: CodeableConcept;
      effectiveDateTime?: string;
      onsetDateTime?: string;
    };
    const coding = (coded.code ?? coded.medicationCodeableConcept)?.coding?.[0];
    if (
      coding?.system &&
      coding.code &&
      !Number.isNaN(Date.parse(coded.effectiveDateTime ?? coded.onsetDateTime ?? ''))
    )
      seen++;
  }
  return seen;
}

/** The three stages of assessHookCall, each timed on its own (median of its loop). */
async function measurePieces(resources: Resource[], options: EvaluationOptions) {
  const { ruleSet, now } = options;
  const data = recordData(resources);
  const context = {
    parameters: ruleSet.parameters,
    valueSetLists: ruleSet.valueSetLists,
    hook: 'patient-view',
    orders: [],
  };
  const factsOf = () => computeFacts(new PatientRecord(data, ruleSet.terminology, now), context, ruleSet.facts);
  const facts = factsOf();
  const outcomes = await evaluateRules(ruleSet, 'patient-view', facts);
  const budget = Math.max(50, options.budgetMs / 3);
  const factTimes = await warmThenTime(async () => factsOf(), budget);
  const ruleTimes = await warmThenTime(() => evaluateRules(ruleSet, 'patient-view', facts), budget);
  const render = {
    ruleSet,
    facts,
    context: { userId: 'Practitioner/bench-clinician', patientId: 'p-bench' },
    orders: [],
    now,
    contraindications: findContraindications(outcomes, facts, ruleSet.statements),
  };
  const cardTimes = await warmThenTime(
    async () => selectCards(outcomes, 'patient-view', new Set()).map((outcome) => renderCard(outcome, render)),
    budget,
  );
  return { factsMs: percentile(factTimes, 50), rulesMs: percentile(ruleTimes, 50), cardsMs: percentile(cardTimes, 50) };
}

function recordData(resources: Resource[]): RecordData {
  const ofType = <T extends Resource>(type: string) =>
    resources.filter((resource) => resource.resourceType === type) as T[];
  const available = { available: true as const, source: 'prefetch' as const };
  return {
    patient: ofType('Patient')[0] as RecordData['patient'],
    conditions: ofType('Condition'),
    observations: ofType('Observation'),
    procedures: ofType('Procedure'),
    medications: ofType('MedicationRequest'),
    status: {
      patient: available,
      conditions: available,
      observations: available,
      procedures: available,
      medications: available,
    },
  };
}
