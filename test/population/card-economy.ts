import path from 'node:path';
import MarkdownIt from 'markdown-it';
import { buildHookRequest } from '../../src/cli/scenarios/hook-request';
import { loadScenarios } from '../../src/cli/scenarios/load';
import { handleHookCall } from '../../src/cds/hook-service';
import { offlineFetchSettings } from '../../src/cds/prefetch';
import type { HookName } from '../../src/cds/protocol/hooks';
import type { Card } from '../../src/cds/types';
import type { RuleSet } from '../../src/rules/load-rule-set';
import { generatePatients } from './generate-patients';
import { populationRequests } from './population-requests';

/**
 * Card economy (issue 12): how much a clinician reads. Every bundled scenario and every population patient is
 * answered in process; each card's detail is rendered from Markdown to HTML as an EHR does (markdown-it, raw HTML
 * off) and measured as the text a reader sees.
 */

export interface AnsweredCall {
  source: string;
  hook: HookName;
  cards: Card[];
}

const markdown = new MarkdownIt({ html: false, linkify: false });
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** The text a reader sees of a card's detail: Markdown rendered, tags dropped, white space folded. */
export function renderedText(detail: string | undefined): string {
  return markdown
    .render(detail ?? '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] as string)
    .replace(/\s+/g, ' ')
    .trim();
}

const NO_FETCH = offlineFetchSettings('card economy reads only the request');

/** Every bundled scenario, answered at its own `now`. */
export async function answerScenarios(ruleSet: RuleSet, rulesDir: string): Promise<AnsweredCall[]> {
  const { scenarios, problems } = loadScenarios(rulesDir, undefined, ruleSet);
  if (problems.length > 0) throw new Error(`scenarios do not load: ${problems.map((p) => p.message).join('; ')}`);
  const answered: AnsweredCall[] = [];
  for (const scenario of scenarios) {
    const request = buildHookRequest(scenario, ruleSet);
    const { response } = await handleHookCall(scenario.hook, request, {
      ruleSet,
      fetchSettings: NO_FETCH,
      now: () => new Date(scenario.now),
    });
    answered.push({
      source: `${path.basename(scenario.file)} › ${scenario.name}`,
      hook: scenario.hook,
      cards: response.cards,
    });
  }
  return answered;
}

/** The safety population's patients (patient-view, and order-sign for those with a draft order). */
export async function answerPopulation(
  ruleSet: RuleSet,
  count: number,
  seed: number,
  now: Date,
): Promise<AnsweredCall[]> {
  const answered: AnsweredCall[] = [];
  for (const patient of generatePatients(count, seed, now)) {
    for (const { hook, body } of populationRequests(patient)) {
      const { response } = await handleHookCall(hook, body, { ruleSet, fetchSettings: NO_FETCH, now: () => now });
      answered.push({ source: patient.id, hook, cards: response.cards });
    }
  }
  return answered;
}

export interface Economy {
  calls: number;
  cards: number;
  detailMedian: number;
  detailP90: number;
  detailMax: number;
  longest: string;
  overLimit: number;
  chartOpens: number;
  cardsPerChartOpenMedian: number;
  cardsPerChartOpenMax: number;
  cardsPerChartOpenMean: number;
}

/** Detail length and cards per chart-open (patient-view) over a set of answered calls. */
export function economyOf(calls: AnsweredCall[], limit: number): Economy {
  const lengths = calls
    .flatMap((call) => call.cards.map((card) => ({ length: renderedText(card.detail).length, call, card })))
    .sort((a, b) => a.length - b.length);
  const chartOpens = calls
    .filter((call) => call.hook === 'patient-view')
    .map((call) => call.cards.length)
    .sort((a, b) => a - b);
  const longest = lengths.at(-1);
  return {
    calls: calls.length,
    cards: lengths.length,
    detailMedian: quantile(
      lengths.map((l) => l.length),
      0.5,
    ),
    detailP90: quantile(
      lengths.map((l) => l.length),
      0.9,
    ),
    detailMax: longest?.length ?? 0,
    longest: longest ? `${longest.call.source} (${longest.card.source.topic?.code ?? '?'})` : '',
    overLimit: lengths.filter((l) => l.length > limit).length,
    chartOpens: chartOpens.length,
    cardsPerChartOpenMedian: quantile(chartOpens, 0.5),
    cardsPerChartOpenMax: chartOpens.at(-1) ?? 0,
    cardsPerChartOpenMean:
      Math.round((chartOpens.reduce((a, b) => a + b, 0) / Math.max(1, chartOpens.length)) * 100) / 100,
  };
}

/** The value below which a share `q` of the sorted values lies (nearest rank). */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}
