import type { HookName } from '../protocol/hooks';
import type { RuleOutcome } from '../../rules/evaluate';
import type { RuleSpec } from '../../rules/rule-pack';

const INDICATOR_RANK = { critical: 0, warning: 1, info: 2 } as const;
const KIND_RANK = { 'red-flag': 0, contraindication: 1, step: 2, advice: 3 } as const;

/**
 * Decides which fired rules become cards, and in which order:
 * - `suppresses` hides cards: `kind:step` (a critical red flag hides the routine steps), `modality:X` (an absolute
 *   contraindication hides X's step card), `rule:name`;
 * - a contraindication shows only where its modality is in play: it is being ordered, or (patient-view) its step
 *   card fired and nothing but a contraindication hid it. So opening a chart never raises critical cards about a
 *   treatment nobody is considering, and an emergency card is not diluted by cards about routine treatments;
 * - on order hooks, advice about a modality shows only when that modality is among the orders;
 * - most severe first, then red flags, contraindications, steps, advice, then rule order: deterministic.
 */
export function selectCards(
  outcomes: RuleOutcome[],
  hook: HookName,
  orderedModalities: ReadonlySet<string>,
): RuleOutcome[] {
  const fired = outcomes.filter((outcome) => outcome.fired);
  const hiddenBy = (cards: RuleOutcome[]) =>
    // Stryker disable next-line ArrayDeclaration: a filler string names no rule:, kind: or modality:, so hides nothing
    new Set(cards.flatMap((outcome) => outcome.rule.spec.card.suppresses ?? []));
  const hidden = hiddenBy(fired);
  const hiddenByOthers = hiddenBy(fired.filter((outcome) => outcome.rule.spec.card.kind !== 'contraindication'));
  const stepModalities = new Set(
    fired
      .filter(({ rule }) => rule.spec.card.kind === 'step' && !isHidden(rule.spec, hiddenByOthers))
      .map(({ rule }) => rule.spec.card.modality),
  );
  const inPlay = (modality: string) =>
    orderedModalities.has(modality) || (hook === 'patient-view' && stepModalities.has(modality));

  const shown = fired.filter(({ rule }) => {
    const { kind, modality } = rule.spec.card;
    if (isHidden(rule.spec, hidden)) return false;
    if (kind === 'contraindication') return modality === undefined || inPlay(modality);
    // On an order hook, advice about a modality is only relevant while that modality is being ordered.
    return !(kind === 'advice' && modality && hook !== 'patient-view' && !orderedModalities.has(modality));
  });
  return shown.sort(
    (a, b) =>
      INDICATOR_RANK[a.rule.spec.card.indicator] - INDICATOR_RANK[b.rule.spec.card.indicator] ||
      KIND_RANK[a.rule.spec.card.kind] - KIND_RANK[b.rule.spec.card.kind] ||
      a.rule.position - b.rule.position,
  );
}

/** Whether a card is hidden: by its name, by its kind (steps and advice), or by its modality (steps only). */
export function isHidden(spec: RuleSpec, hidden: ReadonlySet<string>): boolean {
  const { kind, modality } = spec.card;
  if (hidden.has(`rule:${spec.name}`)) return true;
  if (kind === 'step' || kind === 'advice') {
    if (hidden.has(`kind:${kind}`)) return true;
    // Stryker disable next-line ConditionalExpression: without it, only a "modality:undefined" suppression could match
    if (kind === 'step' && modality !== undefined && hidden.has(`modality:${modality}`)) return true;
  }
  return false;
}
