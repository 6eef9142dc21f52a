import type { DaysSpec, DeclaredFact } from '../clinical/facts';
import { forEachLeaf } from '../rules/condition-tree';
import type { RuleSet } from '../rules/load-rule-set';
import { isFactReference, type LoadedRule } from '../rules/rule-pack';
import { anchor, html, join, type SafeHtml } from './html';
import { ruleLink } from './pathway-diagram';

/** The facts of rules/facts.json: what each reads from the record, in words, and the rules that use it. */
export function declaredFactsSection(ruleSet: RuleSet): SafeHtml {
  const declared = Object.entries(ruleSet.declaredFacts);
  const rows = declared.map(
    ([id, fact]) => html`<tr id="${anchor('fact', id)}">
  <th scope="row"><code>${id}</code></th>
  <td>${fact.label}${fact.description ? html`<br><span class="muted">${fact.description}</span>` : ''}</td>
  <td>${readsText(fact, ruleSet)} in ${join(
    fact.valueSets.map((valueSet) => {
      const id = ruleSet.terminology.idOf(valueSet) ?? valueSet;
      return html`<a href="#${anchor('vs', id)}"><code>${id}</code></a>`;
    }),
    ', ',
  )}</td>
  <td>${usersOf(id, ruleSet.rules).map((rule) => html`<div>${ruleLink(rule)}</div>`)}</td>
</tr>`,
  );
  return html`<section id="declared-facts" aria-labelledby="declared-facts-title">
  <h2 id="declared-facts-title">Declared facts</h2>
  <p class="section-intro">Facts defined in rules/facts.json from ValueSets, without code; \
rules use them like the built-in facts. A fact that could not be worked out \
(data not available, a record without a date inside a time window) is not known, never “no”.</p>
  ${
    declared.length === 0
      ? html`<p class="muted">None declared.</p>`
      : html`<table class="parameters">
    <thead><tr><th scope="col">Name</th><th scope="col">Label</th>\
<th scope="col">Reads</th><th scope="col">Used by</th></tr></thead>
    <tbody>${rows}</tbody>
  </table>`
  }
</section>`;
}

/** Parameters the declarations read (their time windows). */
export function declaredFactParameters(ruleSet: RuleSet): string[] {
  return Object.values(ruleSet.declaredFacts).flatMap((fact) =>
    'withinDays' in fact && typeof fact.withinDays === 'object' ? [fact.withinDays.param] : [],
  );
}

function readsText(fact: DeclaredFact, ruleSet: RuleSet): string {
  switch (fact.from) {
    case 'Condition': {
      const status = fact.includeHistory ? 'active or past (inactive, in remission, resolved)' : 'active';
      return `yes when a Condition is ${status}${window('with onset', fact.withinDays, ruleSet)}`;
    }
    case 'MedicationRequest':
      return 'yes when a MedicationRequest is active or on hold';
    case 'Observation': {
      const plausible = fact.range ? ` (plausible ${fact.range[0]} to ${fact.range[1]})` : '';
      return `the latest Observation value in ${fact.unit}${window('recorded', fact.withinDays, ruleSet)}${plausible}`;
    }
    case 'Procedure':
      return `yes when a Procedure is completed or in progress${window('performed', fact.withinDays, ruleSet)}`;
  }
}

function window(verb: string, days: DaysSpec | undefined, ruleSet: RuleSet): string {
  if (days === undefined) return '';
  if (typeof days === 'number') return `, ${verb} in the last ${days} days`;
  return `, ${verb} in the last ${days.param} (${String(ruleSet.parameters[days.param])} days)`;
}

function usersOf(fact: string, rules: readonly LoadedRule[]): LoadedRule[] {
  return rules.filter((rule) => {
    let uses = rule.spec.card.checks?.includes(fact) ?? false;
    forEachLeaf(rule.spec.when, (comparison) => {
      if (comparison.fact === fact || (isFactReference(comparison.value) && comparison.value.fact === fact))
        uses = true;
    });
    return uses;
  });
}
