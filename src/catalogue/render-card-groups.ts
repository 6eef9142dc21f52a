import type { RuleSet } from '../rules/load-rule-set';
import { anchor, externalLink, html, type SafeHtml } from './html';

/**
 * Where a card's rule identity (`source.topic.code`, what the ledger counts) is described in the catalogue: a card
 * group's section for a group card, else the rule's own.
 */
export const catalogueAnchor = (name: string, ruleSet: RuleSet): string =>
  anchor(name in ruleSet.cardGroups ? 'group' : 'rule', name);

/** The card groups (rules/shared.json, `cardGroups`): what each gathers, on which hooks, and its member rules. */
export function cardGroupsSection(ruleSet: RuleSet): SafeHtml {
  const groups = Object.entries(ruleSet.cardGroups).map(([name, group]) => {
    const members = ruleSet.rules.filter((rule) => rule.spec.card.group?.name === name);
    return html`<div class="card-group" id="${anchor('group', name)}">
  <h3>${name} <span class="muted">(${group.hooks.join(', ')}; ${group.indicator})</span></h3>
  <p>${group.description}</p>
  <p>Summary: “${group.summary}”. Source: ${externalLink(group.source.label, group.source.url)}.</p>
  <ul class="used-by">${members.map(
    (rule) =>
      html`<li><a href="#${anchor('rule', rule.spec.name)}">${rule.spec.name}</a>: ${rule.spec.card.group?.item}</li>`,
  )}</ul>
</div>`;
  });
  return html`<section id="card-groups" aria-labelledby="card-groups-title">
  <h2 id="card-groups-title">Card groups</h2>
  <p class="section-intro">Cards of several rules shown as one card, one item per rule; the group's name is the
  card's rule identity in feedback and analytics.</p>
  ${groups}
</section>`;
}
