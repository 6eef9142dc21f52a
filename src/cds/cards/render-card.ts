import { randomUUID } from 'node:crypto';
import type { Coding, Condition, Reference, ServiceRequest } from '@medplum/fhirtypes';
import type { Citation, Facts } from '../../clinical/computed-fact';
import type { DraftOrder } from '../../clinical/facts';
import { uncheckedFacts } from '../../clinical/facts/unchecked';
import type { EvaluatedCondition, RuleOutcome } from '../../rules/evaluate';
import type { RuleSet } from '../../rules/load-rule-set';
import { fillParameters, PLACEHOLDER } from '../../rules/placeholders';
import type { CardSpec, SuggestionSpec } from '../../rules/rule-pack';
import type { Action, Card, HookContext, Suggestion } from '../types';
import { factLabel, formatFact, thresholdText } from './describe-facts';
import { codeSpan, escapeMarkdown } from './markdown';
import { reasonComparisons } from './reasons';
import { statedSummary, type ModalityContraindications } from './contraindication-statement';

const RULE_TOPIC_SYSTEM = 'https://fhir.spine-cds.example/CodeSystem/rule';

export interface RenderContext {
  ruleSet: RuleSet;
  facts: Facts;
  context: HookContext;
  orders: DraftOrder[];
  now: Date;
  /** Contraindications found per modality: every card about that modality states them. */
  contraindications: ModalityContraindications;
}

/** Turns a fired rule into a CDS Hooks card that says what, why (with the patient data), how sure, and what was not checked. */
export function renderCard(outcome: RuleOutcome, render: RenderContext): Card {
  const { spec } = outcome.rule;
  const { card } = spec;
  const suggestions = (card.suggestions ?? []).flatMap((suggestion) => renderSuggestion(suggestion, render));
  const overrideReasons = card.overrideReasons ? render.ruleSet.overrideReasons[card.overrideReasons] : undefined;
  const { summary, indicator } = statedSummary(
    fillParameters(card.summary, render.ruleSet.parameters),
    card,
    render.contraindications,
    render.ruleSet.statements,
  );
  return {
    uuid: randomUUID(),
    summary,
    detail: renderDetail(card, outcome.conditions, render),
    indicator,
    source: {
      label: card.source.label,
      url: card.source.url,
      topic: {
        system: RULE_TOPIC_SYSTEM,
        code: spec.name,
        display: fillParameters(spec.description, render.ruleSet.parameters).slice(0, 200),
      },
    },
    ...(suggestions.length > 0 ? { suggestions, selectionBehavior: card.selectionBehavior ?? 'at-most-one' } : {}),
    ...(overrideReasons && overrideReasons.length > 0 ? { overrideReasons } : {}),
  };
}

function renderDetail(card: CardSpec, conditions: EvaluatedCondition, render: RenderContext): string {
  // What could not be checked has its own section below, in words; the list of fact ids explains nothing more.
  const reasons = groupByFact(reasonComparisons(conditions).filter(({ fact }) => fact !== uncheckedFacts.id));
  const reasonFacts = new Set(reasons.map((reason) => reason.fact));
  const checked = (card.checks ?? []).filter((id) => !reasonFacts.has(id));
  // A reason fact that is unknown (e.g. "no recent pain score") is already explained under "Why this card".
  const unknownFacts = [...new Set([...comparedFacts(conditions), ...checked])].filter(
    (id) => !reasonFacts.has(id) && render.facts[id]?.value === null && render.facts[id]?.missing,
  );
  // Each piece of patient data is cited once per card, where it first matters.
  const cite = citer(card, render);

  const sections = [fillPlaceholders(card.detail, render)];
  if (reasons.length > 0) {
    sections.push(
      `**Why this card**\n${reasons.map(({ fact, thresholds }) => `${factLine(fact, render)}${thresholdSuffix(thresholds)}${cite(fact)}`).join('\n')}`,
    );
  }
  const knownChecks = checked.filter((id) => !unknownFacts.includes(id));
  if (knownChecks.length > 0)
    sections.push(`**Also checked**\n${knownChecks.map((id) => `${factLine(id, render)}${cite(id)}`).join('\n')}`);
  if (unknownFacts.length > 0) {
    sections.push(
      `**Could not be checked** (missing data is not treated as normal)\n${unknownFacts.map((id) => factLine(id, render)).join('\n')}`,
    );
  }
  sections.push(
    `**Evidence** (${card.evidence.strength}): ${fillParameters(card.evidence.statement, render.ruleSet.parameters)} Source: [${card.source.label}](${card.source.url}).`,
  );
  return sections.join('\n\n');
}

/** One line per fact: "T-score -1.6 (threshold ≤ -1 and > -2.5)" rather than two lines for a range. */
function groupByFact(reasons: EvaluatedCondition[]): Array<{ fact: string; thresholds: string[] }> {
  const byFact = new Map<string, string[]>();
  for (const reason of reasons) {
    const fact = reason.fact as string;
    const thresholds = byFact.get(fact) ?? [];
    const threshold = thresholdText(reason.operator, reason.value);
    if (threshold && !thresholds.includes(threshold)) thresholds.push(threshold);
    byFact.set(fact, thresholds);
  }
  return [...byFact].map(([fact, thresholds]) => ({ fact, thresholds }));
}

function thresholdSuffix(thresholds: string[]): string {
  if (thresholds.length === 0) return '';
  const numeric = thresholds.every((threshold) => /^[<>≤≥]/.test(threshold));
  return ` (${numeric ? 'threshold' : 'criterion:'} ${thresholds.join(' and ')})`;
}

function comparedFacts(condition: EvaluatedCondition): string[] {
  if (condition.all) return condition.all.flatMap(comparedFacts);
  if (condition.any) return condition.any.flatMap(comparedFacts);
  if (condition.not) return comparedFacts(condition.not);
  return condition.fact ? [condition.fact] : [];
}

function factLine(id: string, render: RenderContext): string {
  return `- ${factLabel(id, render.ruleSet.parameters, render.ruleSet.facts)}: ${formatFact(id, render.facts[id], render.ruleSet.facts)}`;
}

/** A card cites at most this many records per fact, so a long record cannot make a response megabytes long. */
const MAX_CITATIONS_PER_FACT = 10;

/**
 * Citation lines for a fact, skipping data already cited on this card. On a card about one ordered modality, only
 * that modality's draft orders are cited.
 */
function citer(card: CardSpec, render: RenderContext): (id: string) => string {
  const shown = new Set<string>();
  const ownOrders = new Set(
    render.orders.filter((order) => order.modality === card.modality).map((order) => order.reference),
  );
  return (id) => {
    let cites = render.facts[id]?.cites ?? [];
    if (id === 'orderedModalities' && ownOrders.size > 0) cites = cites.filter((c) => ownOrders.has(c.reference));
    const fresh = cites.filter((c) => {
      const key = `${c.reference ?? ''}|${c.text}`;
      if (shown.has(key)) return false;
      shown.add(key);
      return true;
    });
    const lines = fresh
      .slice(0, MAX_CITATIONS_PER_FACT)
      .map((c: Citation) => `\n  - ${escapeMarkdown(c.text)}${c.reference ? ` (${codeSpan(c.reference)})` : ''}`);
    if (fresh.length > MAX_CITATIONS_PER_FACT) lines.push(`\n  - and ${fresh.length - MAX_CITATIONS_PER_FACT} more`);
    return lines.join('');
  };
}

function fillPlaceholders(text: string, render: RenderContext): string {
  return fillParameters(text, render.ruleSet.parameters).replace(PLACEHOLDER, (_match, name: string) =>
    formatFact(name, render.facts[name], render.ruleSet.facts),
  );
}

function renderSuggestion(spec: SuggestionSpec, render: RenderContext): Suggestion[] {
  const removals: Action[] = spec.remove
    ? render.orders
        .filter((order) => order.modality === spec.remove && order.reference !== undefined)
        .map((order) => ({
          type: 'delete',
          description: `Remove the draft order: ${order.display}`,
          resourceId: order.reference,
        }))
    : [];
  // A removal with nothing to remove would be an empty promise to the clinician.
  if (spec.remove && removals.length === 0) return [];
  const creation: Action[] = spec.order ? [createOrder(spec, spec.order, render)] : [];
  return [
    {
      label: spec.label,
      uuid: randomUUID(),
      ...(spec.isRecommended !== undefined ? { isRecommended: spec.isRecommended } : {}),
      actions: [...removals, ...creation],
    },
  ];
}

function createOrder(spec: SuggestionSpec, valueSet: string, render: RenderContext): Action {
  const coding = render.ruleSet.terminology.firstCoding(valueSet) as Coding;
  const requester = /^(Practitioner|PractitionerRole)\//.test(render.context.userId)
    ? { requester: { reference: render.context.userId } }
    : {};
  const reasons = reasonReferences(render);
  const resource: ServiceRequest = {
    resourceType: 'ServiceRequest',
    id: randomUUID(),
    status: 'draft',
    intent: 'proposal',
    ...(spec.priority ? { priority: spec.priority } : {}),
    code: { coding: [coding], text: coding.display },
    subject: { reference: `Patient/${render.context.patientId}` },
    ...(render.context.encounterId ? { encounter: { reference: `Encounter/${render.context.encounterId}` } } : {}),
    authoredOn: render.now.toISOString(),
    ...requester,
    ...(reasons.length > 0 ? { reasonReference: reasons } : {}),
  };
  return { type: 'create', description: spec.label, resource };
}

/** How many conditions an order names as its reason: the episode's, not a whole problem list. */
const MAX_REASON_REFERENCES = 5;

/** The back pain conditions behind the episode: why the order is proposed. */
function reasonReferences(render: RenderContext): Reference<Condition>[] {
  return (render.facts.backPain?.cites ?? [])
    .flatMap((cite) => (cite.reference ? [{ reference: cite.reference }] : []))
    .slice(0, MAX_REASON_REFERENCES);
}
