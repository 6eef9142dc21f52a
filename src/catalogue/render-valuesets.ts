import type { ValueSet, ValueSetComposeInclude } from '@medplum/fhirtypes';
import { declaredValues } from '../clinical/ingredient-names';
import type { RuleSet } from '../rules/load-rule-set';
import { anchor, html, type SafeHtml } from './html';

const SYSTEM_NAMES: Record<string, string> = {
  'http://snomed.info/sct': 'SNOMED CT',
  'http://hl7.org/fhir/sid/icd-10-cm': 'ICD-10-CM',
  'http://hl7.org/fhir/sid/icd-10': 'ICD-10',
  'http://loinc.org': 'LOINC',
  'http://www.nlm.nih.gov/research/umls/rxnorm': 'RxNorm',
  'http://www.ama-assn.org/go/cpt': 'CPT',
  'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets': 'HCPCS',
  'http://unitsofmeasure.org': 'UCUM',
};

export function systemName(system: string | undefined): string {
  if (!system) return 'no system';
  return SYSTEM_NAMES[system] ?? /\/CodeSystem\/([^/]+)$/.exec(system)?.[1] ?? system;
}

/** Which rule suggestions order from each ValueSet (the other ValueSets are used by the fact computations). */
function orderedBy(ruleSet: RuleSet): Map<string, string[]> {
  const byValueSet = new Map<string, string[]>();
  for (const rule of ruleSet.rules) {
    for (const suggestion of rule.spec.card.suggestions ?? []) {
      if (!suggestion.order) continue;
      const names = byValueSet.get(suggestion.order) ?? [];
      if (!names.includes(rule.spec.name)) names.push(rule.spec.name);
      byValueSet.set(suggestion.order, names);
    }
  }
  return byValueSet;
}

export function renderValueSets(ruleSet: RuleSet): SafeHtml {
  const ordered = orderedBy(ruleSet);
  const sections = ruleSet.terminology.valueSetIds().flatMap((id) => {
    const valueSet = ruleSet.terminology.get(id);
    return valueSet ? [renderValueSet(valueSet, ordered.get(id) ?? [])] : [];
  });
  return html`${sections}`;
}

function renderValueSet(valueSet: ValueSet, orderedByRules: string[]): SafeHtml {
  const id = valueSet.id ?? '';
  const includes = valueSet.compose?.include ?? [];
  const excludes = valueSet.compose?.exclude ?? [];
  return html`<article class="valueset" id="${anchor('vs', id)}">
<h3>${valueSet.title ?? valueSet.name ?? id} <code class="vs-id">${id}</code></h3>
<p class="vs-meta muted">${valueSet.url ?? ''}\
${valueSet.version ? html` · version ${valueSet.version}` : ''}\
${valueSet.status ? html` · ${valueSet.status}` : ''}</p>
${valueSet.description ? html`<p class="vs-description">${valueSet.description}</p>` : ''}
${ingredientNamesLine(valueSet)}
${
  orderedByRules.length > 0
    ? html`<p class="vs-used">Suggested orders use its first code, in rules: \
${orderedByRules.map((name) => html`<a href="#${anchor('rule', name)}">${name}</a> `)}</p>`
    : ''
}
<table class="codes">
  <thead><tr><th scope="col">System</th><th scope="col">Code</th><th scope="col">Display</th></tr></thead>
  <tbody>${includes.map((include) => includeRows(include, false))}\
${excludes.map((exclude) => includeRows(exclude, true))}</tbody>
</table>
</article>`;
}

function ingredientNamesLine(valueSet: ValueSet): SafeHtml | string {
  const names = declaredValues(valueSet, 'ingredient');
  if (names.length === 0) return '';
  const excluded = declaredValues(valueSet, 'excludedDoseForm');
  return html`<p class="vs-ingredients">Products not listed are recognised by ingredient name: \
${names.join(', ')}${excluded.length > 0 ? html` (not in a dose form named ${excluded.join(', ')})` : ''}.</p>`;
}

function includeRows(include: ValueSetComposeInclude, excluded: boolean): SafeHtml {
  const system = html`<span title="${include.system ?? ''}">${systemName(include.system)}</span>\
${excluded ? html` <span class="badge">excluded</span>` : ''}`;
  const concepts = (include.concept ?? []).map(
    (concept) =>
      html`<tr><td>${system}</td><td><code>${concept.code}</code></td><td>${concept.display ?? ''}</td></tr>`,
  );
  const filters = (include.filter ?? []).map((filter) => {
    const words =
      filter.op === 'is-a' && filter.property === 'concept'
        ? html`<strong>${filter.value}</strong> and all codes under it`
        : filter.op === 'descendent-of' && filter.property === 'concept'
          ? html`all codes under <strong>${filter.value}</strong> (not ${filter.value} itself)`
          : html`codes where ${filter.property} ${filter.op} ${filter.value}`;
    return html`<tr class="family"><td>${system}</td><td><code>${filter.value}</code></td><td>${words}</td></tr>`;
  });
  const whole =
    !include.concept && !include.filter
      ? [
          html`<tr><td>${system}</td><td colspan="2">\
every code of the system${include.valueSet ? html` in ${include.valueSet.join(', ')}` : ''}</td></tr>`,
        ]
      : [];
  return html`${concepts}${filters}${whole}`;
}
