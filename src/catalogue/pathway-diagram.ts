import type { LoadedRule } from '../rules/rule-pack';
import { anchor, html, type SafeHtml } from './html';

/** The stepped escalation, least to most invasive; each step gathers the rules whose card is about its modalities. */
const PATHWAY_STEPS: ReadonlyArray<{ id: string; title: string; modalities: readonly string[]; note: string }> = [
  {
    id: 'self-care',
    title: 'Self-care',
    modalities: ['self-care', 'nsaid'],
    note: 'stay active, heat, home exercise; an NSAID only without a caution',
  },
  { id: 'physiotherapy', title: 'Physiotherapy', modalities: ['physiotherapy'], note: 'exercise-based programme' },
  { id: 'injection', title: 'Injection', modalities: ['injection'], note: 'epidural steroid injection' },
  {
    id: 'decompression',
    title: 'Non-surgical decompression',
    modalities: ['traction', 'inversion'],
    note: 'traction, decompression table, inversion',
  },
  { id: 'surgery', title: 'Surgical referral', modalities: ['surgery'], note: 'elective spine surgery' },
];

const runsOnPatientView = (rule: LoadedRule) => !rule.spec.hooks || rule.spec.hooks.includes('patient-view');

export interface PathwayStepRules {
  /** Step cards shown in the patient's chart: the rules that lead to this step. */
  leadsHere: LoadedRule[];
  /** Step cards on order-select / order-sign: checks of an order for this step. */
  orderChecks: LoadedRule[];
  /** Contraindications and advice about this step's modalities. */
  cautions: LoadedRule[];
}

function rulesOfStep(rules: readonly LoadedRule[], modalities: readonly string[]): PathwayStepRules {
  const mine = rules.filter(
    (rule) => rule.spec.card.modality !== undefined && modalities.includes(rule.spec.card.modality),
  );
  const steps = mine.filter((rule) => rule.spec.card.kind === 'step');
  return {
    leadsHere: steps.filter(runsOnPatientView),
    orderChecks: steps.filter((rule) => !runsOnPatientView(rule)),
    cautions: mine.filter((rule) => rule.spec.card.kind !== 'step'),
  };
}

/**
 * The escalation pathway as an accessible HTML/CSS diagram (an ordered list drawn as boxes and arrows):
 * no script, no external resource, readable by a screen reader in step order.
 */
export function pathwayDiagram(rules: readonly LoadedRule[]): SafeHtml {
  const redFlags = rules.filter((rule) => rule.spec.card.kind === 'red-flag');
  const steps = PATHWAY_STEPS.map((step, i) => {
    const { leadsHere, orderChecks, cautions } = rulesOfStep(rules, step.modalities);
    return html`<li class="step" id="${anchor('step', step.id)}">
  <div class="step-head"><span class="step-no" aria-hidden="true">${i + 1}</span></div>
  <span class="step-title">${step.title}</span>
  <p class="step-note">${step.note}</p>
  ${ruleGroup('Reached by', leadsHere, 'leads')}
  ${ruleGroup('Order checks', orderChecks, 'checks')}
  ${ruleGroup('Cautions', cautions, 'cautions')}
</li>`;
  });
  return html`<figure class="pathway">
<ol class="steps" aria-label="Escalation pathway, least to most invasive">${steps}</ol>
${
  redFlags.length > 0
    ? html`<figcaption class="red-flag-lane"><strong>Red flags at any step</strong> \
(urgent imaging or referral; critical ones hide the routine step cards): \
${ruleLinks(redFlags)}</figcaption>`
    : ''
}
</figure>`;
}

function ruleGroup(title: string, rules: LoadedRule[], className: string): SafeHtml | '' {
  if (rules.length === 0)
    return className === 'leads'
      ? html`<p class="step-group ${className}"><span class="group-title">${title}</span> \
<span class="muted">no rule</span></p>`
      : '';
  return html`<div class="step-group ${className}"><span class="group-title">${title}</span><ul>${rules.map(
    (rule) => html`<li>${ruleLink(rule)}</li>`,
  )}</ul></div>`;
}

function ruleLinks(rules: LoadedRule[]): SafeHtml {
  return html`<span class="inline-rules">${rules.map((rule) => html`${ruleLink(rule)} `)}</span>`;
}

export function ruleLink(rule: LoadedRule): SafeHtml {
  const { indicator } = rule.spec.card;
  return html`<a class="rule-link" href="#${anchor('rule', rule.spec.name)}">\
<span class="dot ${indicator}" title="${indicator}"></span>${rule.spec.name}</a>`;
}
