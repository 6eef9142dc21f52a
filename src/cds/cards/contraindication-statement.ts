import type { Facts } from '../../clinical/computed-fact';
import type { RuleOutcome } from '../../rules/evaluate';
import type { CardSpec } from '../../rules/rule-pack';
import type { ContraindicationStatements } from '../../rules/shared-definitions';
import { reasonComparisons } from './reasons';

interface Findings {
  absolute: string[];
  relative: string[];
}

/** Per modality, the names of the findings that contraindicate it: absolute (critical rules) and relative. */
export type ModalityContraindications = ReadonlyMap<string, Findings>;

/** CDS Hooks: a summary is under 140 characters. */
const MAX_SUMMARY_LENGTH = 139;

/**
 * The findings of every fired contraindication rule, by modality, whether or not its own card is shown: a card
 * hidden by a stronger one (relative under absolute) still has findings the shown card must state.
 */
export function findContraindications(
  outcomes: RuleOutcome[],
  facts: Facts,
  statements: ContraindicationStatements,
): ModalityContraindications {
  const found = new Map<string, Findings>();
  for (const outcome of outcomes) {
    const { kind, modality, indicator } = outcome.rule.spec.card;
    if (!outcome.fired || kind !== 'contraindication' || modality === undefined) continue;
    const entry = found.get(modality) ?? { absolute: [], relative: [] };
    const names = reasonComparisons(outcome.conditions).flatMap((reason) =>
      findingName(reason.fact as string, facts, statements),
    );
    (indicator === 'critical' ? entry.absolute : entry.relative).push(...names);
    found.set(modality, entry);
  }
  for (const entry of found.values()) {
    entry.absolute = [...new Set(entry.absolute)];
    entry.relative = [...new Set(entry.relative)].filter((name) => !entry.absolute.includes(name));
  }
  return found;
}

/**
 * A finding's short name, only for a fact that is present (an unknown fact is not a finding). `{{value}}` is the
 * fact's value, `{{other}}` another fact's (so systolic and diastolic read as one "BP 170/104"), "?" when unknown.
 */
function findingName(id: string, facts: Facts, statements: ContraindicationStatements): string[] {
  const template = statements.names[id];
  const value = facts[id]?.value;
  if (template === undefined || value === null || value === undefined || value === false) return [];
  return [filledName(template, id, facts)];
}

/** A name template with its values filled in: "BP {{systolic}}/{{diastolic}}" reads "BP 170/104". */
export const filledName = (template: string, id: string, facts: Facts): string =>
  template.replace(/\{\{(\w+)\}\}/g, (_match, name: string) =>
    String(facts[name === 'value' ? id : name]?.value ?? '?'),
  );

/**
 * The summary of a card about a modality, followed by every contraindication to that modality the patient has
 * (stated, never only listed), and the card's indicator raised to match: critical for an absolute one, at least
 * warning for a relative one. Cards about no modality, or a modality with no contraindication, are unchanged.
 */
export function statedSummary(
  summary: string,
  card: CardSpec,
  found: ModalityContraindications,
  statements: ContraindicationStatements,
): { summary: string; indicator: CardSpec['indicator'] } {
  const findings = card.modality === undefined ? undefined : found.get(card.modality);
  if (!findings || findings.absolute.length + findings.relative.length === 0)
    return { summary, indicator: card.indicator };
  const indicator = findings.absolute.length > 0 ? 'critical' : card.indicator === 'info' ? 'warning' : card.indicator;
  const short = statements.modalities[card.modality as string] ?? summary;
  return { summary: fitted([summary, short], findings, statements), indicator };
}

/**
 * `summary — contraindicated: A, B; caution: C`. Should that not fit in a summary, the card's own summary gives way
 * to the modality's short name (the detail still says it), then the last names to "N more (below)": each is
 * still on the card, under "Why" of the contraindication card.
 */
function fitted(summaries: string[], findings: Findings, statements: ContraindicationStatements): string {
  const groups: Array<[string, string[]]> = [
    [statements.absolute, findings.absolute],
    [statements.relative, findings.relative],
  ];
  const total = findings.absolute.length + findings.relative.length;
  const stated = (named: number) => {
    let left = named;
    return groups
      .filter(([, names]) => names.length > 0)
      .map(([template, names]) => {
        const shown = names.slice(0, left);
        left -= shown.length;
        const more = names.length - shown.length;
        return template.replace('{{findings}}', [...shown, ...(more > 0 ? [`${more} more (below)`] : [])].join(', '));
      })
      .join('; ');
  };
  const candidates = [
    ...summaries.map((summary) => `${summary} — ${stated(total)}`),
    ...Array.from({ length: total }, (_, fewer) => `${summaries.at(-1)} — ${stated(total - fewer - 1)}`),
  ];
  return candidates.find((text) => text.length <= MAX_SUMMARY_LENGTH) ?? (candidates.at(-1) as string);
}
