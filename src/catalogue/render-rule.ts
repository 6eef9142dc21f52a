import { factLabel } from '../cds/cards/describe-facts';
import type { RuleSet } from '../rules/load-rule-set';
import { fillParameters, PLACEHOLDER } from '../rules/placeholders';
import type { CardSpec, LoadedRule, SuggestionSpec } from '../rules/rule-pack';
import { describeCondition, type DescribedCondition } from './describe-condition';
import { anchor, externalLink, html, join, type SafeHtml } from './html';
import { systemName } from './render-valuesets';

const ALL_HOOKS = ['patient-view', 'order-select', 'order-sign'];

const KIND_WORDS: Record<string, string> = {
  'red-flag': 'red flag',
  contraindication: 'contraindication',
  step: 'pathway step',
  advice: 'advice',
};

/** One rule: what it decides, when it fires (in words), and the card it produces. */
export function renderRule(rule: LoadedRule, ruleSet: RuleSet): SafeHtml {
  const { spec } = rule;
  const { card } = spec;
  return html`<article class="rule ${card.indicator}" id="${anchor('rule', spec.name)}">
<header class="rule-head">
  <h3><span class="rule-name">${spec.name}</span></h3>
  <div class="badges">
    <span class="badge indicator ${card.indicator}">${card.indicator}</span>
    <span class="badge">${KIND_WORDS[card.kind] ?? card.kind}</span>
    ${card.modality ? html`<span class="badge modality">${card.modality}</span>` : ''}
    ${(spec.hooks ?? ALL_HOOKS).map((hook) => html`<span class="badge hook">${hook}</span>`)}
  </div>
</header>
<p class="description">${fillParameters(spec.description, ruleSet.parameters)} \
<a class="figures-link" href="/rules/analytics#${anchor('figures', spec.name)}">Feedback figures</a></p>
<div class="rule-body">
  <section class="when" aria-label="When the rule fires">
    <h4>Fires when</h4>
    ${conditionHtml(describeCondition(spec.when, ruleSet), true)}
  </section>
  ${cardHtml(card, ruleSet)}
</div>
</article>`;
}

/** The described condition as nested lists; parameters link to the parameter table. */
function conditionHtml(node: DescribedCondition, root = false): SafeHtml {
  if (node.type === 'comparison') {
    const target =
      node.comparedWith.kind === 'parameter'
        ? html`<a class="param" href="#${anchor('param', node.comparedWith.name)}">${node.comparedWith.name}</a> \
<span class="param-value">(${node.comparedWith.value})</span>`
        : node.comparedWith.kind === 'fact'
          ? html`<span class="fact" title="${node.comparedWith.fact}">${node.comparedWith.label}</span>`
          : html`<strong class="value">${node.comparedWith.text}</strong>`;
    const relation = node.relation === ':' ? html`: ` : html` <span class="rel">${node.relation}</span> `;
    const body = html`<span class="fact" title="fact: ${node.fact}">${node.factLabel}</span>${relation}${target}`;
    return root ? html`<p class="condition">${body}</p>` : body;
  }
  const list = html`<span class="group-word">${node.text}</span><ul class="cond ${node.type}">${node.children.map(
    (child) => html`<li>${conditionHtml(child)}</li>`,
  )}</ul>`;
  return root ? html`<div class="condition">${list}</div>` : list;
}

function cardHtml(card: CardSpec, ruleSet: RuleSet): SafeHtml {
  const reasons = card.overrideReasons ? ruleSet.overrideReasons[card.overrideReasons] : undefined;
  const checks = card.checks?.length
    ? html`<dt>Also checked</dt><dd><ul class="checks">\
${card.checks.map((id) => html`<li>${factName(id, ruleSet)}</li>`)}</ul></dd>`
    : '';
  const suggestions = card.suggestions?.length
    ? html`<dt>Suggestions</dt><dd><ul class="suggestions">\
${card.suggestions.map((s) => suggestionHtml(s, ruleSet))}</ul></dd>`
    : '';
  const hides = card.suppresses?.length ? html`<dt>Hides</dt><dd>${suppressionsHtml(card.suppresses)}</dd>` : '';
  return html`<section class="card ${card.indicator}" aria-label="Card">
  <h4>Card</h4>
  <p class="summary">${fillParameters(card.summary, ruleSet.parameters)}</p>
  <p class="detail">${detailHtml(card.detail, ruleSet)}</p>
  <dl class="card-facts">
    <dt>Evidence</dt><dd>${fillParameters(card.evidence.statement, ruleSet.parameters)} \
<span class="strength">${card.evidence.strength}</span></dd>
    <dt>Source</dt><dd>${externalLink(card.source.label, card.source.url)}</dd>
    ${checks}
    ${suggestions}
    ${hides}
    ${
      card.overrideReasons
        ? html`<dt>Override reasons</dt><dd><a href="#${anchor('reasons', card.overrideReasons)}">\
${card.overrideReasons}</a>${
            reasons
              ? html`: <span class="muted">${join(
                  reasons.map((r) => r.display ?? r.code ?? ''),
                  ' · ',
                )}</span>`
              : ''
          }</dd>`
        : ''
    }
  </dl>
</section>`;
}

function factName(id: string, ruleSet: RuleSet): SafeHtml {
  return html`<span class="fact" title="fact: ${id}">${factLabel(id, ruleSet.parameters, ruleSet.facts)}</span>`;
}

/** Card detail with its placeholders shown: parameters by value, facts as «the patient's value». */
function detailHtml(detail: string, ruleSet: RuleSet): SafeHtml {
  const parts: SafeHtml[] = [];
  let last = 0;
  for (const match of detail.matchAll(PLACEHOLDER)) {
    parts.push(html`${detail.slice(last, match.index)}`);
    const name = match[1] as string;
    if (name.startsWith('param.')) {
      const param = name.slice(6);
      parts.push(
        html`<a class="placeholder param" href="#${anchor('param', param)}" title="parameter ${param}">\
${String(ruleSet.parameters[param] ?? name)}</a>`,
      );
    } else {
      parts.push(
        html`<span class="placeholder" title="filled in from the patient's data">\
«${factLabel(name, ruleSet.parameters, ruleSet.facts)}»</span>`,
      );
    }
    last = (match.index ?? 0) + match[0].length;
  }
  parts.push(html`${detail.slice(last)}`);
  return join(parts);
}

function suggestionHtml(suggestion: SuggestionSpec, ruleSet: RuleSet): SafeHtml {
  const actions: SafeHtml[] = [];
  if (suggestion.remove) actions.push(html`removes this call's draft <strong>${suggestion.remove}</strong> orders`);
  if (suggestion.order) {
    const coding = ruleSet.terminology.has(suggestion.order)
      ? ruleSet.terminology.firstCoding(suggestion.order)
      : undefined;
    const code = coding
      ? html`<strong>${coding.display ?? coding.code}</strong> \
<span class="muted">(${systemName(coding.system)} <code>${coding.code}</code>)</span> `
      : '';
    actions.push(
      html`orders ${code}from ValueSet <a href="#${anchor('vs', suggestion.order)}">${suggestion.order}</a>`,
    );
  }
  const flag =
    suggestion.isRecommended === true
      ? html` <span class="badge recommended">recommended</span>`
      : suggestion.isRecommended === false
        ? html` <span class="badge">not recommended</span>`
        : '';
  const steps = actions.length > 0 ? html`<br><span class="muted">${join(actions, '; then ')}</span>` : '';
  return html`<li><span class="suggestion-label">${suggestion.label}</span>${flag}${steps}</li>`;
}

/** "every pathway step card; the cards of: a, b" (targets as in select-cards.ts: kind:, modality:, rule:). */
function suppressionsHtml(targets: string[]): SafeHtml {
  const parts: SafeHtml[] = [];
  const rules: string[] = [];
  for (const target of targets) {
    const [kind, value = ''] = target.split(/:(.*)/s);
    if (kind === 'rule') rules.push(value);
    else if (kind === 'kind') parts.push(html`every <strong>${KIND_WORDS[value] ?? value}</strong> card`);
    else if (kind === 'modality') parts.push(html`every <strong>${value}</strong> step or advice card`);
    else parts.push(html`${target}`);
  }
  if (rules.length > 0) {
    const links = rules.map((name) => html`<a class="rule-ref" href="#${anchor('rule', name)}">${name}</a>`);
    parts.push(html`the card${rules.length === 1 ? '' : 's'} of ${join(links, ', ')}`);
  }
  return join(parts, '; ');
}
