import type { Citation } from '../../clinical/computed-fact';
import type { EvaluatedCondition } from '../../rules/evaluate';
import type { CardSpec } from '../../rules/rule-pack';
import { uncheckedFacts } from '../../clinical/facts';
import { factLabel, formatFact, thresholdText } from './describe-facts';
import { escapeMarkdown } from './markdown';
import { reasonComparisons } from './reasons';
import { filledName } from './contraindication-statement';
import type { RenderContext } from './render-context';

/** A fired rule as a card sees it: its card and the evaluated condition that made it fire. */
export interface FiredCard {
  card: CardSpec;
  conditions: EvaluatedCondition;
}

/** A record the card cites, for the card's `spine-cds.citations` extension, with the facts it supports. */
export interface CitedReference {
  reference: string;
  facts: string[];
}

/** Records named in the prose per fact; the extension lists more. */
const PROSE_CITATIONS_PER_FACT = 3;
/** A card cites at most this many records per fact, so a long record cannot make a response megabytes long. */
const MAX_CITATIONS_PER_FACT = 10;

/**
 * What a card says about the patient, compactly: **Why** (the findings that made the rules fire, with values,
 * thresholds and dates), one line **No record of** (findings checked and absent), one line **Also checked** (other
 * values read), one line **Could not be checked**. Record references leave the prose for the extension.
 */
export function findingSections(
  fired: FiredCard[],
  render: RenderContext,
): { sections: string[]; cited: CitedReference[] } {
  // What could not be checked has its own line, in words; the list of fact ids (uncheckedFacts) explains nothing more.
  const reasons = groupByFact(
    fired.flatMap(({ conditions }) => reasonComparisons(conditions)).filter(({ fact }) => fact !== uncheckedFacts.id),
  );
  const reasonFacts = new Set(reasons.map((reason) => reason.fact));
  const checked = [...new Set(fired.flatMap(({ card }) => card.checks ?? []))].filter((id) => !reasonFacts.has(id));
  const unknown = [...new Set([...fired.flatMap(({ conditions }) => comparedFacts(conditions)), ...checked])].filter(
    (id) => !reasonFacts.has(id) && render.facts[id]?.value === null && render.facts[id]?.missing,
  );
  const cite = citer(new Set(fired.map(({ card }) => card.modality)), render);

  const shownReasons = reasons.filter(({ fact }) => !isAbsent(fact, render));
  const knownChecks = checked.filter((id) => !unknown.includes(id));
  const absent = [...reasons.map(({ fact }) => fact), ...knownChecks].filter((id) => isAbsent(id, render));
  const alsoChecked = knownChecks.filter((id) => !isAbsent(id, render));

  const sections: string[] = [];
  if (shownReasons.length > 0)
    sections.push(
      [
        '**Why**',
        ...shownReasons.map(({ fact, thresholds }) => {
          const citations = cite.prose(fact);
          return `- ${reasonText(fact, citations, render)}${thresholdSuffix(thresholds)}${citations}`;
        }),
      ].join('\n'),
    );
  if (absent.length > 0)
    sections.push(`**No record of:** ${[...new Set(absent.map((id) => shortName(id, render)))].join(', ')}.`);
  if (alsoChecked.length > 0) {
    alsoChecked.forEach((id) => cite.prose(id));
    sections.push(`**Also checked:** ${[...new Set(alsoChecked.map((id) => checkedText(id, render)))].join('; ')}.`);
  }
  if (unknown.length > 0)
    sections.push(`**Could not be checked** (not assumed normal): ${unknownText(unknown, render)}.`);
  return { sections, cited: cite.references() };
}

/** A fact whose value says "nothing recorded": false, an empty list, or unknown without a reason. */
function isAbsent(id: string, render: RenderContext): boolean {
  const fact = render.facts[id];
  if (!fact) return false;
  const { value } = fact;
  return value === false || (value === null && !fact.missing) || (Array.isArray(value) && value.length === 0);
}

/** A fact's label without its explanation in brackets (the catalogue, one link away, has it in full). */
function shortLabel(id: string, render: RenderContext): string {
  return factLabel(id, render.ruleSet.parameters, render.ruleSet.facts).replace(/\s*\((?:[^()]|\([^()]*\))*\)$/, '');
}

/** A finding's short name: its name in the statements without values ("BP {{systolic}}/…": "BP"), else its label. */
function shortName(id: string, render: RenderContext): string {
  const named = render.ruleSet.statements.names[id]?.replace(/\{\{\w+\}\}/g, '').replace(/[\s/]+$/, '');
  if (named) return named;
  const label = shortLabel(id, render);
  return /^[A-Z][a-z]/.test(label) ? label[0]?.toLowerCase() + label.slice(1) : label;
}

/** Facts that could not be worked out, grouped by why: "pain score, BMI (observations not available: …)". */
function unknownText(ids: string[], render: RenderContext): string {
  const byReason = new Map<string, string[]>();
  for (const id of ids) {
    const reason = render.facts[id]?.missing as string;
    byReason.set(reason, [...(byReason.get(reason) ?? []), shortName(id, render)]);
  }
  return [...byReason]
    .map(([reason, names]) =>
      names.length === 1 && saysWhat(reason, names[0] as string)
        ? reason
        : `${[...new Set(names)].join(', ')} (${reason})`,
    )
    .join('; ');
}

/** Whether a reason already names what is missing ("no pain score recorded" for the latest pain score). */
const saysWhat = (reason: string, name: string) =>
  reason.toLowerCase().includes((name.split(' ').at(-1) as string).toLowerCase());

const valueText = (id: string, render: RenderContext) =>
  `${shortLabel(id, render)}: ${formatFact(id, render.facts[id], render.ruleSet.facts)}`;

/** A value read, shortly: its name in the statements with the values ("BP 124/78"), else "name: value". */
function checkedText(id: string, render: RenderContext): string {
  const template = render.ruleSet.statements.names[id];
  if (template?.includes('{{')) return filledName(template, id, render.facts);
  return template ? `${template}: ${formatFact(id, render.facts[id], render.ruleSet.facts)}` : valueText(id, render);
}

/** A reason in Why: "label: value", or the label alone when a true fact's records follow it ("Sciatica, since …"). */
function reasonText(id: string, citations: string, render: RenderContext): string {
  return render.facts[id]?.value === true && citations !== '' ? `${shortLabel(id, render)}:` : valueText(id, render);
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

/** " [ICD-10-CM M54.50]" in a citation's text: the code stays in the cited record, the prose keeps its display. */
const CODE_IN_TEXT = / \[(?:SNOMED CT|ICD-10-CM|LOINC|RxNorm|code|https?:[^\s\]]+) [^\s\]]+\]/g;

/**
 * Citations of facts, each record once per card: its text (values, dates) under the fact in the prose, its reference
 * in the extension. On a card about ordered modalities, only their draft orders are cited.
 */
function citer(modalities: ReadonlySet<string | undefined>, render: RenderContext) {
  const shown = new Set<string>();
  const cited = new Map<string, Set<string>>();
  const ownOrders = new Set(
    render.orders.filter((order) => modalities.has(order.modality)).map((order) => order.reference),
  );
  return {
    prose(id: string): string {
      let cites = render.facts[id]?.cites ?? [];
      if (id === 'orderedModalities' && ownOrders.size > 0) cites = cites.filter((c) => ownOrders.has(c.reference));
      const fresh = cites.filter((c) => {
        const key = `${c.reference ?? ''}|${c.text}`;
        if (shown.has(key)) return false;
        shown.add(key);
        return true;
      });
      for (const { reference } of fresh.slice(0, MAX_CITATIONS_PER_FACT)) {
        if (reference) cited.set(reference, (cited.get(reference) ?? new Set()).add(id));
      }
      const lines = fresh
        .slice(0, PROSE_CITATIONS_PER_FACT)
        .map((c: Citation) => `\n  - ${escapeMarkdown(c.text.replace(CODE_IN_TEXT, ''))}`);
      if (fresh.length > PROSE_CITATIONS_PER_FACT)
        lines.push(`\n  - and ${fresh.length - PROSE_CITATIONS_PER_FACT} more`);
      return lines.join('');
    },
    references: (): CitedReference[] => [...cited].map(([reference, facts]) => ({ reference, facts: [...facts] })),
  };
}
