import { randomUUID } from 'node:crypto';
import type { CodeableConcept, Coding, Condition, Reference, Resource, ServiceRequest } from '@medplum/fhirtypes';
import type { RuleOutcome } from '../../rules/evaluate';
import { fillParameters, PLACEHOLDER } from '../../rules/placeholders';
import type { CardGroupSpec, CardSpec, SuggestionSpec } from '../../rules/rule-pack';
import type { Action, Card, Suggestion } from '../types';
import { findingSections, type CitedReference } from './card-findings';
import { formatFact } from './describe-facts';
import { escapeMarkdown } from './markdown';
import type { RenderContext } from './render-context';
import { statedSummary } from './contraindication-statement';

const RULE_TOPIC_SYSTEM = 'https://fhir.spine-cds.example/CodeSystem/rule';

const CITATIONS_EXTENSION = 'spine-cds.citations';
const RULES_EXTENSION = 'spine-cds.rules';
const RULE_LINK_LABEL = 'How this rule works';

/**
 * Turns a fired rule into a CDS Hooks card that says what, why (with the patient data), how sure, and what was not
 * checked.
 */
export function renderCard(outcome: RuleOutcome, render: RenderContext): Card {
  const { spec } = outcome.rule;
  const { card } = spec;
  const offers = renderSuggestions([card], render);
  const { summary, indicator } = statedSummary(
    fillParameters(card.summary, render.ruleSet.parameters),
    card,
    render.contraindications,
    render.ruleSet.statements,
  );
  const { sections, cited } = findingSections([{ card, conditions: outcome.conditions }], render);
  const detail = [fillPlaceholders(card.detail, render), ...offers.placed, ...sections, evidenceLine(card, render)];
  return assembleCard({
    summary,
    detail,
    indicator,
    source: card.source,
    topic: { code: spec.name, display: fillParameters(spec.description, render.ruleSet.parameters) },
    rules: [spec.name],
    cited,
    suggestions: offers.suggestions,
    selectionBehavior: card.selectionBehavior,
    overrideReasons: card.overrideReasons,
    render,
  });
}

/**
 * One card for the rules of a card group (rules/shared.json, `cardGroups`): its opening, one item per rule (what,
 * the patient finding that makes it apply, the evidence and its strength, the source), then the findings of all.
 */
export function renderGroupCard(name: string, members: RuleOutcome[], render: RenderContext): Card {
  const group = render.ruleSet.cardGroups[name] as CardGroupSpec;
  const cards = members.map(({ rule }) => rule.spec.card);
  const items = cards.map((card) => {
    const { item, reason } = card.group as { item: string; reason: string };
    const sourceName = card.source.label.split(':')[0] as string;
    const statement = fillParameters(card.evidence.statement, render.ruleSet.parameters);
    const strength = withoutFinalStop(card.evidence.strength);
    return (
      `- **${capitalised(item)}**: ${fillPlaceholders(reason, render)}. ${statement} *${strength}.* ` +
      `[${sourceName}](${card.source.url})`
    );
  });
  const offers = renderSuggestions(cards, render);
  const { sections, cited } = findingSections(
    members.map(({ rule, conditions }) => ({ card: rule.spec.card, conditions })),
    render,
  );
  const names = cards.map((card) => card.group?.item as string);
  return assembleCard({
    summary: group.summary.replace('{{items}}', names.join(', ')),
    detail: [fillPlaceholders(group.detail, render), items.join('\n'), ...offers.placed, ...sections],
    indicator: group.indicator,
    source: group.source,
    topic: { code: name, display: group.description },
    rules: members.map(({ rule }) => rule.spec.name),
    cited,
    suggestions: offers.suggestions,
    selectionBehavior: cards.find((card) => card.selectionBehavior)?.selectionBehavior,
    overrideReasons: group.overrideReasons,
    render,
  });
}

interface CardParts {
  summary: string;
  detail: string[];
  indicator: Card['indicator'];
  source: CardSpec['source'];
  /** The rule (or card group) the card is about: its feedback and ledger identity. */
  topic: { code: string; display: string };
  rules: string[];
  cited: CitedReference[];
  suggestions: Suggestion[];
  selectionBehavior: CardSpec['selectionBehavior'];
  overrideReasons: string | undefined;
  render: RenderContext;
}

/**
 * The card as sent. Its extension lists the rules behind it (`spine-cds.rules`) and the records it cites
 * (`spine-cds.citations`, relative references with the facts they support), so no FHIR id sits in the prose.
 */
function assembleCard(parts: CardParts): Card {
  const { render } = parts;
  const overrideReasons = parts.overrideReasons ? render.ruleSet.overrideReasons[parts.overrideReasons] : undefined;
  const links = render.publicBaseUrl
    ? parts.rules.map((rule) => ({
        label: parts.rules.length > 1 ? `${RULE_LINK_LABEL}: ${rule}` : RULE_LINK_LABEL,
        url: `${render.publicBaseUrl}/rules#rule-${rule}`,
        type: 'absolute' as const,
      }))
    : [];
  return {
    uuid: randomUUID(),
    summary: parts.summary,
    detail: parts.detail.join('\n\n'),
    indicator: parts.indicator,
    source: {
      label: parts.source.label,
      url: parts.source.url,
      topic: { system: RULE_TOPIC_SYSTEM, code: parts.topic.code, display: parts.topic.display.slice(0, 200) },
    },
    ...(parts.suggestions.length > 0
      ? { suggestions: parts.suggestions, selectionBehavior: parts.selectionBehavior ?? 'at-most-one' }
      : {}),
    ...(overrideReasons && overrideReasons.length > 0 ? { overrideReasons } : {}),
    ...(links.length > 0 ? { links } : {}),
    extension: {
      [RULES_EXTENSION]: parts.rules,
      ...(parts.cited.length > 0 ? { [CITATIONS_EXTENSION]: parts.cited } : {}),
    },
  };
}

/** The evidence, its strength and where it comes from, in one line. */
function evidenceLine(card: CardSpec, render: RenderContext): string {
  const statement = fillParameters(card.evidence.statement, render.ruleSet.parameters);
  return `**Evidence:** ${statement} *${withoutFinalStop(card.evidence.strength)}.*`;
}

const withoutFinalStop = (text: string) => text.replace(/\.$/, '');
const capitalised = (text: string) => (text[0]?.toUpperCase() ?? '') + text.slice(1);

function fillPlaceholders(text: string, render: RenderContext): string {
  return fillParameters(text, render.ruleSet.parameters).replace(PLACEHOLDER, (_match, name: string) =>
    formatFact(name, render.facts[name], render.ruleSet.facts),
  );
}

/**
 * The cards' suggestions. On an order hook, a suggestion to create an order equivalent to a draft being placed (its
 * code in the suggestion's order ValueSet) is not made: the card says instead that the draft is the right order.
 */
function renderSuggestions(cards: CardSpec[], render: RenderContext): { suggestions: Suggestion[]; placed: string[] } {
  const suggestions: Suggestion[] = [];
  const placed: string[] = [];
  for (const spec of cards.flatMap((card) => card.suggestions ?? [])) {
    const draft = spec.order ? equivalentDraft(spec.order, render) : undefined;
    if (draft) placed.push(orderPlacedText(spec, draft, render));
    else suggestions.push(...renderSuggestion(spec, render));
  }
  return { suggestions, placed: [...new Set(placed)] };
}

type Orderable = Resource & { code?: CodeableConcept; priority?: string };

/** The draft order of this hook call (a selected one on order-select) that the order ValueSet already covers. */
function equivalentDraft(valueSet: string, render: RenderContext): Orderable | undefined {
  const inPlay = new Set(render.orders.map((order) => order.reference));
  return (render.context.draftOrders?.entry ?? [])
    .map((entry) => entry.resource as Orderable | undefined)
    .find(
      (resource) =>
        resource !== undefined &&
        inPlay.has(`${resource.resourceType}/${resource.id}`) &&
        render.ruleSet.terminology.match(resource.code, valueSet) !== undefined,
    );
}

function orderPlacedText(spec: SuggestionSpec, draft: Orderable, render: RenderContext): string {
  const { orderPlaced, orderPlacedWithPriority } = render.ruleSet.statements;
  const order = escapeMarkdown(draft.code?.text ?? draft.code?.coding?.[0]?.display ?? spec.label);
  const template = spec.priority && draft.priority !== spec.priority ? orderPlacedWithPriority : orderPlaced;
  return (template ?? '{{order}}').replace('{{order}}', order).replace('{{priority}}', spec.priority ?? '');
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
