import type { Condition, MedicationRequest, Observation, Patient, Procedure } from '@medplum/fhirtypes';
import { recogniseDraftOrders } from '../clinical/draft-orders';
import { computeFacts } from '../clinical/facts';
import { PatientRecord } from '../clinical/patient-record';
import type { Facts } from '../clinical/computed-fact';
import type { DraftOrder } from '../clinical/facts';
import { evaluateRules, type RuleOutcome } from '../rules/evaluate';
import type { RuleSet } from '../rules/load-rule-set';
import type { FhirVersion } from '../fhir/fhir-version';
import { findContraindications } from './cards/contraindication-statement';
import { gatherGroups } from './cards/card-groups';
import { renderCard, renderGroupCard } from './cards/render-card';
import { selectCards } from './cards/select-cards';
import { readAsR4, type VersionBasis } from './data-version';
import { parseHookRequest } from './hook-request';
import { resolvePrefetch, type FetchSettings, type ResolvedData } from './prefetch';
import { responseViolations } from './response-check';
import { dataRequirements } from './services';
import type { Card, CdsResponse, HookRequest } from './types';
import type { HookName } from './protocol/hooks';

export interface HookCallDependencies {
  ruleSet: RuleSet;
  fetchSettings: FetchSettings;
  now: () => Date;
  /** SPINE_CDS_PUBLIC_BASE_URL: cards link to their rules in the catalogue there (none without it). */
  publicBaseUrl?: string;
}

export interface HookCallResult {
  response: CdsResponse;
  hookInstance: string;
  /** Where each kind of data came from, for the audit log (no patient data). */
  dataSources: Record<string, string>;
  /** The FHIR version the data was read as, and how it was known; absent when no data was read. */
  fhirVersion?: { version: FhirVersion; from: VersionBasis };
}

/** A response that breaks the CDS Hooks rules: a bug of ours, never sent to the EHR. */
export class InvalidResponseError extends Error {
  constructor(readonly violations: string[]) {
    super(`response failed the CDS Hooks check: ${violations.join('; ')}`);
    this.name = 'InvalidResponseError';
  }
}

/** Everything the service worked out for one hook call: what `rules explain` shows and the cards sent. */
export interface Assessment {
  request: HookRequest;
  orders: DraftOrder[];
  /** The data in its R4 form (translated from STU3 when it came in STU3). */
  data?: ResolvedData;
  fhirVersion?: { version: FhirVersion; from: VersionBasis };
  facts: Facts;
  outcomes: RuleOutcome[];
  /** Fired rules that become cards, in card order. */
  shown: RuleOutcome[];
  response: CdsResponse;
  /** Why no rule was evaluated although the data was read: the fact that stopped it (the patient is deceased). */
  withheld?: 'deceased';
}

/** One hook call, from the parsed body to cards (see docs/architecture.md, "One hook call, end to end"). */
export async function assessHookCall(hook: HookName, body: unknown, deps: HookCallDependencies): Promise<Assessment> {
  const { ruleSet } = deps;
  const request = parseHookRequest(body, hook);
  const { draftOrders, selections } = request.context;
  const orders = recogniseDraftOrders(draftOrders, selections, ruleSet.terminology, ruleSet.orderModalities);
  // Order hooks speak only about pathway orders; anything else is none of this service's business.
  if (hook !== 'patient-view' && orders.length === 0) {
    return { request, orders, facts: {}, outcomes: [], shown: [], response: { cards: [] } };
  }

  const requirements = dataRequirements(ruleSet);
  const received = await resolvePrefetch(request, requirements, deps.fetchSettings);
  const { data, fhirVersion, fhirVersionFrom } = readAsR4(
    request,
    requirements,
    received,
    deps.fetchSettings.pinnedFhirVersion,
  );
  const now = deps.now();
  const record = new PatientRecord(recordData(data), ruleSet.terminology, now);
  const { parameters, valueSetLists } = ruleSet;
  const facts = computeFacts(record, { parameters, valueSetLists, hook, orders }, ruleSet.facts);
  const assessed = { request, orders, data, fhirVersion: { version: fhirVersion, from: fhirVersionFrom }, facts };
  // The pathway is for the living: a deceased patient's chart gets no cards, and `rules explain` says why.
  if (facts.deceased?.value === true) {
    return { ...assessed, outcomes: [], shown: [], response: { cards: [] }, withheld: 'deceased' };
  }
  const outcomes = await evaluateRules(ruleSet, hook, facts);
  const shown = selectCards(outcomes, hook, new Set(orders.map((order) => order.modality)));
  const contraindications = findContraindications(outcomes, facts, ruleSet.statements);
  const render = {
    ruleSet,
    facts,
    context: request.context,
    orders,
    now,
    contraindications,
    publicBaseUrl: deps.publicBaseUrl,
  };
  const cards = gatherGroups(shown, hook, contraindications, ruleSet.cardGroups).map((card) =>
    'rule' in card ? renderCard(card.rule, render) : renderGroupCard(card.group, card.members, render),
  );
  return { ...assessed, outcomes, shown, response: { cards: mostSevereFirst(cards) } };
}

/** A hook call answered: the response is checked against the CDS Hooks rules before it may leave. */
export async function handleHookCall(
  hook: HookName,
  body: unknown,
  deps: HookCallDependencies,
): Promise<HookCallResult> {
  const { request, data, fhirVersion, response } = await assessHookCall(hook, body, deps);
  const violations = responseViolations(response);
  if (violations.length > 0) throw new InvalidResponseError(violations);
  return {
    response,
    hookInstance: request.hookInstance,
    dataSources: data ? describeSources(data) : {},
    ...(fhirVersion ? { fhirVersion } : {}),
  };
}

const SEVERITY = { critical: 0, warning: 1, info: 2 } as const;

/** Stating a contraindication can raise a card's indicator: keep the most severe cards first (a stable sort). */
function mostSevereFirst(cards: Card[]): Card[] {
  return [...cards].sort((a, b) => SEVERITY[a.indicator] - SEVERITY[b.indicator]);
}

function recordData(data: ResolvedData) {
  return {
    patient: data.resources.patient[0] as Patient | undefined,
    conditions: data.resources.conditions as Condition[],
    observations: data.resources.observations as Observation[],
    procedures: data.resources.procedures as Procedure[],
    medications: data.resources.medications as MedicationRequest[],
    status: data.status,
  };
}

function describeSources(data: ResolvedData): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data.status).map(([key, status]) => [key, status.available ? status.source : 'unavailable']),
  );
}
