import { randomUUID } from 'node:crypto';
import type { Coding, Condition, Reference, ServiceRequest } from '@medplum/fhirtypes';
import type { Citation, Facts } from '../../clinical/fact';
import type { DraftOrder } from '../../clinical/facts';
import type { EvaluatedCondition, RuleOutcome } from '../../rules/evaluate';
import type { RuleSet } from '../../rules/load-rule-set';
import type { CardSpec, SuggestionSpec } from '../../rules/rule-pack';
import type { Action, Card, HookContext, Suggestion } from '../types';
import { factLabel, formatFact, thresholdText } from './describe-facts';

export const RULE_TOPIC_SYSTEM = 'https://fhir.spine-cds.example/CodeSystem/rule';

export interface RenderContext {
  ruleSet: RuleSet;
  facts: Facts;
  context: HookContext;
  orders: DraftOrder[];
  now: Date;
}

/** Turns a fired rule into a CDS Hooks card that says what, why (with the patient data), how sure, and what was not checked. */
export function renderCard(outcome: RuleOutcome, render: RenderContext): Card {
  const { spec } = outcome.rule;
  const { card } = spec;
  const suggestions = (card.suggestions ?? []).flatMap((suggestion) => renderSuggestion(suggestion, render));
  const overrideReasons = card.overrideReasons ? render.ruleSet.overrideReasons[card.overrideReasons] : undefined;
  return {
    uuid: randomUUID(),
    summary: card.summary,
    detail: renderDetail(card, outcome.conditions, render),
    indicator: card.indicator,
    source: {
      label: card.source.label,
      url: card.source.url,
      topic: { system: RULE_TOPIC_SYSTEM, code: spec.name, display: spec.description.slice(0, 200) },
    },
    ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'at-most-one' as const } : {}),
    ...(overrideReasons && overrideReasons.length > 0 ? { overrideReasons } : {}),
  };
}

function renderDetail(card: CardSpec, conditions: EvaluatedCondition, render: RenderContext): string {
  const reasons = reasonComparisons(conditions);
  const reasonFacts = new Set(reasons.map((reason) => reason.fact as string));
  const checked = (card.checks ?? []).filter((id) => !reasonFacts.has(id));
  const unknownFacts = [...new Set([...comparedFacts(conditions), ...checked])].filter(
    (id) => render.facts[id]?.value === null && render.facts[id]?.missing,
  );

  const sections = [fillPlaceholders(card.detail, render)];
  if (reasons.length > 0) sections.push(`**Why this card**\n${reasons.map((reason) => reasonLine(reason, render.facts)).join('\n')}`);
  const knownChecks = checked.filter((id) => !unknownFacts.includes(id));
  if (knownChecks.length > 0) sections.push(`**Also checked**\n${knownChecks.map((id) => factLine(id, render.facts)).join('\n')}`);
  if (unknownFacts.length > 0) {
    sections.push(`**Could not be checked** (missing data is not treated as normal)\n${unknownFacts.map((id) => factLine(id, render.facts)).join('\n')}`);
  }
  sections.push(`**Evidence** (${card.evidence.strength}): ${card.evidence.statement} Source: [${card.source.label}](${card.source.url}).`);
  return sections.join('\n\n');
}

/** Comparisons that were evaluated true and so caused the card (those under `not` explain nothing). */
function reasonComparisons(condition: EvaluatedCondition): EvaluatedCondition[] {
  if (condition.all) return condition.all.flatMap(reasonComparisons);
  if (condition.any) return condition.any.flatMap(reasonComparisons);
  if (condition.not) return [];
  return condition.fact && condition.result === true ? [condition] : [];
}

function comparedFacts(condition: EvaluatedCondition): string[] {
  if (condition.all) return condition.all.flatMap(comparedFacts);
  if (condition.any) return condition.any.flatMap(comparedFacts);
  if (condition.not) return comparedFacts(condition.not);
  return condition.fact ? [condition.fact] : [];
}

function reasonLine(reason: EvaluatedCondition, facts: Facts): string {
  const threshold = thresholdText(reason.operator, reason.value);
  return `${factLine(reason.fact as string, facts)}${threshold ? ` (threshold ${threshold})` : ''}${citationLines(facts[reason.fact as string]?.cites ?? [])}`;
}

function factLine(id: string, facts: Facts): string {
  return `- ${factLabel(id)}: ${formatFact(id, facts[id])}`;
}

function citationLines(cites: Citation[]): string {
  return cites.map((cite) => `\n  - ${cite.text}${cite.reference ? ` (\`${cite.reference}\`)` : ''}`).join('');
}

function fillPlaceholders(text: string, render: RenderContext): string {
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_match, name: string) =>
    name.startsWith('param.') ? String(render.ruleSet.parameters[name.slice(6)]) : formatFact(name, render.facts[name]),
  );
}

function renderSuggestion(spec: SuggestionSpec, render: RenderContext): Suggestion[] {
  const removals: Action[] = spec.remove
    ? render.orders
        .filter((order) => order.modality === spec.remove)
        .map((order) => ({ type: 'delete', description: `Remove the draft order: ${order.display}`, resourceId: order.reference }))
    : [];
  // A removal with nothing to remove would be an empty promise to the clinician.
  if (spec.remove && removals.length === 0) return [];
  const creation: Action[] = spec.order ? [createOrder(spec.order, spec.label, render)] : [];
  return [
    {
      label: spec.label,
      uuid: randomUUID(),
      ...(spec.isRecommended !== undefined ? { isRecommended: spec.isRecommended } : {}),
      actions: [...removals, ...creation],
    },
  ];
}

function createOrder(valueSet: string, label: string, render: RenderContext): Action {
  const coding = render.ruleSet.terminology.firstCoding(valueSet) as Coding;
  const requester = /^(Practitioner|PractitionerRole)\//.test(render.context.userId) ? { requester: { reference: render.context.userId } } : {};
  const reasons = reasonReferences(render);
  const resource: ServiceRequest = {
    resourceType: 'ServiceRequest',
    id: randomUUID(),
    status: 'draft',
    intent: 'proposal',
    code: { coding: [coding], text: coding.display },
    subject: { reference: `Patient/${render.context.patientId}` },
    ...(render.context.encounterId ? { encounter: { reference: `Encounter/${render.context.encounterId}` } } : {}),
    authoredOn: render.now.toISOString(),
    ...requester,
    ...(reasons.length > 0 ? { reasonReference: reasons } : {}),
  };
  return { type: 'create', description: label, resource };
}

/** The back pain conditions behind the episode: why the order is proposed. */
function reasonReferences(render: RenderContext): Reference<Condition>[] {
  return (render.facts.backPain?.cites ?? []).flatMap((cite) => (cite.reference ? [{ reference: cite.reference }] : []));
}
