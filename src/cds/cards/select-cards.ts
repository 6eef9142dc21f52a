import type { HookName } from '../types';
import type { RuleOutcome } from '../../rules/evaluate';

const INDICATOR_RANK = { critical: 0, warning: 1, info: 2 } as const;
const KIND_RANK = { 'red-flag': 0, contraindication: 1, step: 2, advice: 3 } as const;

/**
 * Decides which fired rules become cards, and in which order:
 * - `suppresses` hides cards (a critical red flag hides the routine steps; an absolute contraindication
 *   hides its modality's step card);
 * - a contraindication shows only where its modality is in play: its step card fired (even if then hidden)
 *   or it is being ordered, so charts are not flooded with warnings about treatments nobody considers;
 * - on order hooks, advice about a modality shows only when that modality is among the orders;
 * - most severe first, then red flags, contraindications, steps, advice, then rule order: deterministic.
 */
export function selectCards(outcomes: RuleOutcome[], hook: HookName, orderedModalities: ReadonlySet<string>): RuleOutcome[] {
  const fired = outcomes.filter((outcome) => outcome.fired);
  const hidden = new Set(fired.flatMap((outcome) => outcome.rule.spec.card.suppresses ?? []));
  const stepModalities = new Set(
    fired.filter((o) => o.rule.spec.card.kind === 'step').map((o) => o.rule.spec.card.modality),
  );
  const inPlay = (modality: string) => orderedModalities.has(modality) || (hook === 'patient-view' && stepModalities.has(modality));

  const shown = fired.filter(({ rule }) => {
    const { kind, modality } = rule.spec.card;
    if (hidden.has(`rule:${rule.spec.name}`)) return false;
    if (kind === 'step' || kind === 'advice') {
      if (hidden.has(`kind:${kind}`) || (modality && hidden.has(`modality:${modality}`))) return false;
      // On an order hook, advice about a modality is only relevant while that modality is being ordered.
      return !(kind === 'advice' && modality && hook !== 'patient-view' && !orderedModalities.has(modality));
    }
    if (kind === 'contraindication') return modality === undefined || inPlay(modality);
    return true;
  });
  return shown.sort(
    (a, b) =>
      INDICATOR_RANK[a.rule.spec.card.indicator] - INDICATOR_RANK[b.rule.spec.card.indicator] ||
      KIND_RANK[a.rule.spec.card.kind] - KIND_RANK[b.rule.spec.card.kind] ||
      a.rule.position - b.rule.position,
  );
}
