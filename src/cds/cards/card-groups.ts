import type { RuleOutcome } from '../../rules/evaluate';
import type { CardGroupSpec } from '../../rules/rule-pack';
import type { HookName } from '../protocol/hooks';
import type { ModalityContraindications } from './contraindication-statement';

/** A card to send: one rule's, or a card group's gathering several rules. */
export type CardToRender = { rule: RuleOutcome } | { group: string; members: RuleOutcome[] };

/**
 * Gathers the selected cards whose rules name a card group (rules/shared.json, `cardGroups`) into one card per group,
 * on the group's hooks. A card about a modality the patient has a contraindication to stays alone, in full, so that
 * it states the contraindication (and is as severe as it demands). The group card stands where its first member did.
 */
export function gatherGroups(
  selected: RuleOutcome[],
  hook: HookName,
  contraindications: ModalityContraindications,
  groups: Readonly<Record<string, CardGroupSpec>>,
): CardToRender[] {
  const gathered = new Map<string, RuleOutcome[]>();
  const cards: CardToRender[] = [];
  for (const outcome of selected) {
    const group = groupOf(outcome, hook, contraindications, groups);
    if (group === undefined) {
      cards.push({ rule: outcome });
      continue;
    }
    const members = gathered.get(group);
    if (members) members.push(outcome);
    else {
      gathered.set(group, [outcome]);
      cards.push({ group, members: gathered.get(group) as RuleOutcome[] });
    }
  }
  return cards;
}

function groupOf(
  outcome: RuleOutcome,
  hook: HookName,
  contraindications: ModalityContraindications,
  groups: Readonly<Record<string, CardGroupSpec>>,
): string | undefined {
  const { group, modality } = outcome.rule.spec.card;
  if (group === undefined || !groups[group.name]?.hooks.includes(hook)) return undefined;
  const found = modality === undefined ? undefined : contraindications.get(modality);
  return found && found.absolute.length + found.relative.length > 0 ? undefined : group.name;
}
