import { REQUIRED_PARAMETERS } from '../clinical/facts';
import { PARAMETER_PREFIX, placeholderNames } from '../rules/placeholders';
import { formatProblem, type RuleSet } from '../rules/load-rule-set';
import type { RejectedReload } from '../rules/rule-set-holder';
import { forEachLeaf } from '../rules/condition-tree';
import { isParameterReference, type LoadedRule } from '../rules/rule-pack';
import { CATALOGUE_CSS } from './catalogue-style';
import { declaredFactParameters, declaredFactsSection } from './render-declared-facts';
import { anchor, html, SafeHtml } from './html';
import { pathwayDiagram, ruleLink } from './pathway-diagram';
import { renderRule } from './render-rule';
import { cardGroupsSection } from './render-card-groups';
import { renderValueSets } from './render-valuesets';
import { DEFAULT_PROFILE } from '../rules/profiles';

const rendered = new WeakMap<RuleSet, string>();

/** Where the page shows a standing rejected reload: the page is cached per rule set, the rejection is not. */
const REJECTION_SLOT = '<!--rejected-reload-->';

/**
 * The catalogue page of one rule set, built once per RuleSet object (a reload brings a new object, so a new page),
 * with a banner while a later edit of the files stands rejected.
 */
export function catalogueHtml(ruleSet: RuleSet, rejected?: RejectedReload): string {
  let page = rendered.get(ruleSet);
  if (page === undefined) {
    page = renderCatalogue(ruleSet).value;
    rendered.set(ruleSet, page);
  }
  return page.replace(REJECTION_SLOT, rejected ? rejectionBanner(rejected).value : '');
}

function rejectionBanner(rejected: RejectedReload): SafeHtml {
  return html`<section class="rejected-reload" role="alert" id="rejected-reload">
    <h2>An edit of the rule files was rejected</h2>
    <p>
      At ${rejected.at}, the files on disk (changed: ${rejected.changedFiles.join(', ') || 'none'}) did not load. This
      page and every hook call still use the version above. Fix these problems and save again:
    </p>
    <ul>
      ${rejected.problems.map((problem) => html`<li><code>${formatProblem(problem).replace(/^- /, '')}</code></li>`)}
    </ul>
  </section>`;
}

function renderCatalogue(ruleSet: RuleSet): SafeHtml {
  const packs = ruleSet.packs.map((pack) => ({ pack, rules: ruleSet.rules.filter((rule) => rule.pack === pack.pack) }));
  const parameterCount = Object.keys(ruleSet.parameterSpecs).length;
  const valueSetIds = ruleSet.terminology.valueSetIds();
  const profileOrigin =
    ruleSet.profile === DEFAULT_PROFILE
      ? 'the evidence-based pathway'
      : html`the default rules with the packs and parameters of <code>rules/profiles/${ruleSet.profile}</code>`;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rule catalogue · spine-cds · ${ruleSet.profile} · ${ruleSet.version}</title>
<link rel="icon" href="data:,">
<style>${styleSheet(CATALOGUE_CSS)}</style>
</head>
<body>
<header class="page-header">
  <h1>Low back pain rule catalogue <span class="version" title="rule-set version (content hash)" \
id="rule-set-version">${ruleSet.version}</span></h1>
  <p>Rule profile <strong id="rules-profile">${ruleSet.profile}</strong> (${profileOrigin}\
; set by <code>SPINE_CDS_RULES_PROFILE</code>).</p>
  <p>Every rule this service runs, in words; ${ruleSet.rules.length} rules in ${ruleSet.packs.length} packs, \
${parameterCount} parameters, ${valueSetIds.length} ValueSets. \
Read-only: generated from the live rule set.</p>
</header>
        ${new SafeHtml(REJECTION_SLOT)}
<div class="layout">
<nav class="toc" aria-label="Contents">
  <h2>Contents</h2>
  <ol>
    <li><a href="#pathway">Escalation pathway</a></li>
    <li><a href="#rules">Rules</a>
      <ol>${packs.map(
        ({ pack, rules }) => html`<li><a href="#${anchor('pack', pack.pack)}">${pack.title}</a> \
<span class="muted">(${rules.length})</span>
        <ol class="toc-rules">${rules.map((rule) => html`<li>${ruleLink(rule)}</li>`)}</ol></li>`,
      )}</ol>
    </li>
    <li><a href="#card-groups">Card groups</a></li>
    <li><a href="#parameters">Parameters</a></li>
    <li><a href="#declared-facts">Declared facts</a> \
<span class="muted">(${Object.keys(ruleSet.declaredFacts).length})</span></li>
    <li><a href="#override-reasons">Override reasons</a></li>
    <li><a href="#valuesets">ValueSets</a> <span class="muted">(${valueSetIds.length})</span></li>
  </ol>
</nav>
<main>
<section id="pathway" aria-labelledby="pathway-title">
  <h2 id="pathway-title">Escalation pathway</h2>
  <p class="section-intro">From least to most invasive. Each step lists the rules whose cards recommend it in the \
patient's chart, the checks run when it is ordered, and the cautions (contraindications and advice) about it. \
Every card about a treatment names, after its summary, each contraindication to it the patient has: \
“— ${ruleSet.statements.absolute}” \
(absolute: the card is critical), “— ${ruleSet.statements.relative}” (relative: at least warning). \
A deceased patient gets no cards.</p>
  ${pathwayDiagram(ruleSet.rules)}
</section>
<section id="rules" aria-labelledby="rules-title">
  <h2 id="rules-title">Rules</h2>
  <p class="section-intro">Grouped by pack, in the order of the rule files. “Fires when” is the rule's \
condition; underlined phrases are facts computed from the patient's record \
(hover for the fact id) and teal names are parameters with their current value. \
A fact that is not known (for example no recent pain score) never meets a threshold.</p>
  <div class="legend"><span><span class="dot critical"></span>critical</span>\
<span><span class="dot warning"></span>warning</span><span><span class="dot info"></span>info</span></div>
  ${packs.map(
    ({ pack, rules }) => html`<section class="pack" id="${anchor('pack', pack.pack)}" \
aria-labelledby="${anchor('pack-title', pack.pack)}">
    <h3 id="${anchor('pack-title', pack.pack)}">${pack.title} <code class="vs-id">${pack.pack}</code></h3>
    ${pack.description ? html`<p>${pack.description}</p>` : ''}
    ${rules.map((rule) => renderRule(rule, ruleSet))}
  </section>`,
  )}
</section>
${cardGroupsSection(ruleSet)}
${parametersSection(ruleSet)}
${declaredFactsSection(ruleSet)}
${overrideReasonsSection(ruleSet)}
<section id="valuesets" aria-labelledby="valuesets-title">
  <h2 id="valuesets-title">ValueSets</h2>
  <p class="section-intro">Which codes mean what. A patient's coded data \
belongs to a ValueSet when one of its codings is listed here; \
an ICD-10-CM family includes the code and every code under it.</p>
  <ul class="vs-index">\
${valueSetIds.map(
  (id) => html`<li><a href="#${anchor('vs', id)}">\
${ruleSet.terminology.get(id)?.title ?? id}</a></li>`,
)}</ul>
  ${renderValueSets(ruleSet)}
</section>
</main>
</div>
</body>
</html>
`;
}

/** The stylesheet is code, not data; `</style` inside it would still end the element, so refuse it. */
function styleSheet(css: string): SafeHtml {
  if (/<\/style/i.test(css)) throw new Error('the catalogue stylesheet must not contain </style');
  return new SafeHtml(css);
}

function parametersSection(ruleSet: RuleSet): SafeHtml {
  const users = parameterUsers(ruleSet.rules);
  const readByFacts = new Set<string>([...REQUIRED_PARAMETERS, ...declaredFactParameters(ruleSet)]);
  const rows = Object.entries(ruleSet.parameterSpecs).map(
    ([name, spec]) => html`<tr id="${anchor('param', name)}">
  <th scope="row"><code>${name}</code></th>
  <td class="num">${String(spec.value)}</td>
  <td class="nowrap">${spec.unit ?? ''}</td>
  <td>${spec.description}</td>
  <td>${spec.source}</td>
  <td>${usedByHtml(users.get(name) ?? [], readByFacts.has(name))}</td>
</tr>`,
  );
  return html`<section id="parameters" aria-labelledby="parameters-title">
  <h2 id="parameters-title">Parameters</h2>
  <p class="section-intro">Named thresholds from rules/parameters.json. \
Rules refer to them by name, so changing a value here changes every rule that uses it.</p>
  <table class="parameters">
    <thead><tr><th scope="col">Name</th><th scope="col">Value</th>\
<th scope="col">Unit</th><th scope="col">Description</th>\
<th scope="col">Source</th><th scope="col">Used by</th></tr></thead>
    <tbody>${rows}</tbody>
  </table>
</section>`;
}

function usedByHtml(rules: string[], byFacts: boolean): SafeHtml {
  if (rules.length === 0 && !byFacts) return html`<span class="muted">not used</span>`;
  return html`<ul class="used-by">\
${rules.map((rule) => html`<li><a href="#${anchor('rule', rule)}">${rule}</a></li>`)}${
    byFacts ? html`<li class="muted">fact computations</li>` : ''
  }</ul>`;
}

/** Rules naming each parameter in a condition or in their card text ({{param.x}}). */
function parameterUsers(rules: readonly LoadedRule[]): Map<string, string[]> {
  const users = new Map<string, string[]>();
  const add = (param: string, rule: string) => {
    const list = users.get(param) ?? [];
    if (!list.includes(rule)) list.push(rule);
    users.set(param, list);
  };
  for (const rule of rules) {
    forEachLeaf(rule.spec.when, (comparison) => {
      if (isParameterReference(comparison.value)) add(comparison.value.param, rule.spec.name);
    });
    for (const name of [...placeholderNames(rule.spec.card.detail), ...placeholderNames(rule.spec.card.summary)]) {
      if (name.startsWith(PARAMETER_PREFIX)) add(name.slice(PARAMETER_PREFIX.length), rule.spec.name);
    }
  }
  return users;
}

function overrideReasonsSection(ruleSet: RuleSet): SafeHtml {
  const sets = Object.entries(ruleSet.overrideReasons).map(([name, reasons]) => {
    const usedBy = ruleSet.rules.filter((rule) => rule.spec.card.overrideReasons === name).length;
    return html`<div class="reason-set" id="${anchor('reasons', name)}">
  <h3>${name} <span class="muted">(${usedBy} rule${usedBy === 1 ? '' : 's'})</span></h3>
  <table><thead><tr><th scope="col">Code</th><th scope="col">What the clinician picks</th></tr></thead>
  <tbody>${reasons.map(
    (reason) => html`<tr><td><code>${reason.code ?? ''}</code></td>\
<td>${reason.display ?? ''}</td></tr>`,
  )}</tbody></table>
</div>`;
  });
  const system = Object.values(ruleSet.overrideReasons)[0]?.[0]?.system;
  return html`<section id="override-reasons" aria-labelledby="override-reasons-title">
  <h2 id="override-reasons-title">Override reasons</h2>
  <p class="section-intro">The reasons a clinician can give for dismissing a card; \
each card names its set.${system ? html` Code system <code>${system}</code>.` : ''}</p>
  ${sets}
</section>`;
}
