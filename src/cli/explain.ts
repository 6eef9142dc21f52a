import path from 'node:path';
import type { Bundle, MedicationRequest, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { describeCondition, conditionToText } from '../catalogue/describe-condition';
import { factLabel, formatFact } from '../cds/cards/describe-facts';
import { isHidden } from '../cds/cards/select-cards';
import { assessHookCall, type Assessment } from '../cds/hook-service';
import { offlineFetchSettings } from '../cds/prefetch';
import { dataRequirements } from '../cds/services';
import { HOOKS, type HookName } from '../cds/protocol/hooks';
import type { Facts } from '../clinical/computed-fact';
import { HttpError } from '../cds/protocol/operation-outcome';
import { readJsonFile } from '../json-file';
import type { RuleSet } from '../rules/load-rule-set';
import type { RuleOutcome } from '../rules/evaluate';
import { fillParameters } from '../rules/placeholders';
import { expandFixtures, loadFixtures } from './scenario-fixtures';
import { buildHookRequest } from './scenarios/hook-request';
import { prefetchFor } from './scenarios/prefetch-for';
import type { ScenarioFile } from './scenarios/types';

/**
 * `rules explain`: for one patient (a hook request, a FHIR Bundle, or a scenario of a scenario file), the facts
 * (with the data behind them), the cards shown, the rules that fired but were hidden, and for every rule that did
 * not fire which condition failed, with the patient's value and the threshold. Nothing is fetched: data not in the
 * file counts as unavailable, as it would in the service.
 */
export async function explainFile(
  file: string,
  ruleSet: RuleSet,
  flags: Record<string, string>,
  rulesDir: string,
): Promise<{ ok: boolean; text: string }> {
  const { value: written, problem } = readJsonFile(file, file);
  if (problem) return { ok: false, text: `✗ ${problem.file} ${problem.message}` };
  // A scenario may name shared resources (rules/scenarios/fixtures): it is explained as `rules test` runs it.
  const { problems: fixtureProblems, ...fixtures } = loadFixtures(path.join(rulesDir, 'scenarios'), (f) => f);
  const { value, problems } = expandFixtures(written, fixtures, file);
  const unusable = [...fixtureProblems, ...problems];
  if (unusable.length > 0)
    return { ok: false, text: unusable.map((p) => `✗ ${p.file} › ${p.path}: ${p.message}`).join('\n') };
  const scenario = isScenarioFile(value)
    ? value.scenarios.find((candidate) => candidate.name === flags.scenario)
    : undefined;
  if (isScenarioFile(value) && !scenario) {
    return {
      ok: false,
      text:
        `✗ name a scenario with --scenario; this file has: ` +
        `${value.scenarios.map((s) => `"${s.name}"`).join(', ')}`,
    };
  }
  const hook = (flags.hook ?? scenario?.hook ?? (value as { hook?: string }).hook ?? 'patient-view') as HookName;
  if (!HOOKS.includes(hook)) return { ok: false, text: `✗ --hook must be one of ${HOOKS.join(', ')}` };
  const now = new Date(flags.now ?? scenario?.now ?? Date.now());
  if (Number.isNaN(now.getTime())) return { ok: false, text: `✗ --now "${flags.now}" is not a date-time` };

  const body = scenario
    ? buildHookRequest({ ...scenario, hook }, ruleSet)
    : isBundle(value)
      ? requestFromBundle(value, hook, ruleSet)
      : value;
  try {
    const assessment = await assessHookCall(hook, body, {
      ruleSet,
      now: () => now,
      fetchSettings: offlineFetchSettings('rules explain reads only the file given'),
    });
    return { ok: true, text: report(assessment, ruleSet, hook, now) };
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return { ok: false, text: `✗ The service would answer ${error.status}: ${error.message}` };
  }
}

function isScenarioFile(value: unknown): value is ScenarioFile {
  return typeof value === 'object' && value !== null && Array.isArray((value as ScenarioFile).scenarios);
}

function isBundle(value: unknown): value is Bundle {
  return typeof value === 'object' && value !== null && (value as Resource).resourceType === 'Bundle';
}

/** A patient's data as a Bundle becomes the request an EHR honouring every prefetch template would send. */
function requestFromBundle(bundle: Bundle, hook: HookName, ruleSet: RuleSet): unknown {
  const resources = (bundle.entry ?? []).flatMap((entry) => (entry.resource ? [entry.resource] : []));
  const patientId = resources.find((resource) => resource.resourceType === 'Patient')?.id ?? 'unknown';
  const drafts = resources.filter(
    (r): r is ServiceRequest | MedicationRequest =>
      (r.resourceType === 'ServiceRequest' || r.resourceType === 'MedicationRequest') && r.status === 'draft',
  );
  const draftOrders: Bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: drafts.map((resource) => ({ resource })),
  };
  return {
    hook,
    hookInstance: '00000000-0000-4000-8000-000000000000',
    context: {
      userId: 'Practitioner/rules-explain',
      patientId,
      ...(hook === 'patient-view' ? {} : { draftOrders }),
      ...(hook === 'order-select' ? { selections: drafts.map((draft) => `${draft.resourceType}/${draft.id}`) } : {}),
    },
    prefetch: prefetchFor(resources, patientId, dataRequirements(ruleSet)),
  };
}

function report(assessment: Assessment, ruleSet: RuleSet, hook: HookName, now: Date): string {
  const lines = [
    `Rule set ${ruleSet.version} (profile ${ruleSet.profile}) · ${hook} · evaluated at ${now.toISOString()}`,
    '',
  ];
  if (assessment.outcomes.length === 0 && assessment.withheld === undefined) {
    lines.push(
      'No pathway order (traction, inversion, injection, physiotherapy, spine surgery, lumbar MRI) ' +
        'or back-pain medication in this call: no rules run.',
    );
    return lines.join('\n');
  }
  if (assessment.withheld === 'deceased') {
    lines.push(
      'No cards: the patient is recorded as deceased (Patient.deceased[x]), so no rule was evaluated.',
      '',
      'FACTS',
      ...factLines(assessment.facts, ruleSet),
    );
    return lines.join('\n');
  }
  lines.push('FACTS', ...factLines(assessment.facts, ruleSet), '');
  const shown = new Set(assessment.shown);
  const cards = assessment.response.cards.map(
    (card) => `  [${card.indicator}] ${card.source.topic?.code}: ${card.summary}`,
  );
  lines.push('CARDS SHOWN', ...(cards.length > 0 ? cards : ['  (none)']), '');
  const hidden = assessment.outcomes.filter((outcome) => outcome.fired && !shown.has(outcome));
  if (hidden.length > 0)
    lines.push('FIRED BUT NOT SHOWN', ...hidden.map((outcome) => hiddenLine(outcome, assessment)), '');
  lines.push('DID NOT FIRE');
  for (const outcome of assessment.outcomes.filter((o) => !o.fired)) {
    lines.push(`  ${outcome.rule.spec.name}: ${fillParameters(outcome.rule.spec.description, ruleSet.parameters)}`);
    const described = describeCondition(outcome.rule.spec.when, ruleSet, {
      facts: assessment.facts,
      evaluated: outcome.conditions,
    });
    lines.push(
      ...conditionToText(described, '    ')
        .split('\n')
        .map((line) => `    ${line}`),
    );
  }
  lines.push('', 'Legend: ✓ met, ✗ not met, ? not evaluated (the outcome was already decided).');
  return lines.join('\n');
}

function factLines(facts: Facts, ruleSet: RuleSet): string[] {
  return Object.entries(facts).flatMap(([id, fact]) => [
    `  ${id} (${factLabel(id, ruleSet.parameters, ruleSet.facts)}): ${formatFact(id, fact, ruleSet.facts)}` +
      (fact.error ? ` [error: ${fact.error}]` : ''),
    ...fact.cites.map((cite) => `      ${cite.reference ? `${cite.reference}: ` : ''}${cite.text}`),
  ]);
}

/** Why a fired rule gave no card: hidden by another card, or its modality is not in play. */
function hiddenLine(outcome: RuleOutcome, assessment: Assessment): string {
  const { spec } = outcome.rule;
  const hiders = assessment.shown
    .filter((other) => isHidden(spec, new Set(other.rule.spec.card.suppresses ?? [])))
    .map((other) => other.rule.spec.name);
  const why =
    hiders.length > 0
      ? `hidden by ${hiders.join(', ')}`
      : `its modality (${spec.card.modality}) is not in play: ` +
        'it is not being ordered, and no step card for it is shown';
  return `  ${spec.name}: ${why}`;
}
