import path from 'node:path';
import MarkdownIt from 'markdown-it';
import type { Page } from 'playwright-core';
import { buildHookRequest } from '../../src/cli/scenarios/hook-request';
import { loadScenarios } from '../../src/cli/scenarios/load';
import { FHIR_REFERENCE } from '../support/cards';
import { launchChromium, type ObservedBrowser } from '../support/chromium';
import { bundledRuleSet, postJson, PROJECT_ROOT, startService, type RunningService } from '../support/spine-service';

/**
 * Cards as a clinician sees them (issue 12): the service's answer to a chart-open, each card's Markdown turned into
 * HTML by markdown-it with raw HTML off (what the CDS Hooks Sandbox and the EHR simulator do), shown in Chromium and
 * read back as visible text.
 */

interface ShownCard {
  summary: string;
  text: string;
}

const markdown = new MarkdownIt({ html: false });
const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Lays the cards out as an EHR does (summary, then the detail's Markdown as HTML) and reads back what is visible. */
async function showCards(page: Page, cards: Array<{ summary: string; detail?: string }>): Promise<ShownCard[]> {
  const sections = cards.map(
    (card) =>
      `<section class="card"><h2>${escapeHtml(card.summary)}</h2>` +
      `<div class="detail">${markdown.render(card.detail ?? '')}</div></section>`,
  );
  await page.setContent(`<!doctype html><html><body><main>${sections.join('')}</main></body></html>`);
  const shown = page.locator('section.card');
  const count = await shown.count();
  return Promise.all(
    Array.from({ length: count }, async (_, i) => ({
      summary: await shown.nth(i).locator('h2').innerText(),
      text: await shown.nth(i).innerText(),
    })),
  );
}

describe('card prose in headless Chromium', () => {
  let service: RunningService;
  let chromium: ObservedBrowser;
  const ruleSet = bundledRuleSet();
  const { scenarios } = loadScenarios(path.join(PROJECT_ROOT, 'rules'), undefined, ruleSet);
  const chartOpen = async (name: string) => {
    const scenario = scenarios.find((candidate) => candidate.name === name);
    if (!scenario) throw new Error(`no scenario ${name}`);
    const response = await postJson(
      `${service.baseUrl}/cds-services/spine-patient-view`,
      buildHookRequest(scenario, ruleSet),
    );
    expect(response.status).toBe(200);
    return response.body.cards as Array<{ summary: string; detail?: string; extension?: Record<string, unknown> }>;
  };

  beforeAll(async () => {
    service = await startService();
    chromium = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await service?.close();
  });

  test('a chronic non-specific chart-open shows two cards, and no FHIR id in what a clinician reads', async () => {
    const cards = await chartOpen('step-no-fusion-chronic-non-specific');
    const shown = await showCards(chromium.page, cards);
    expect(shown).toHaveLength(2);
    expect(shown.map((card) => card.summary)).toEqual(cards.map((card) => card.summary));
    for (const card of shown) {
      expect(card.text).not.toMatch(FHIR_REFERENCE);
      expect(card.text).not.toMatch(/\*\*|`/);
      expect(card.text.length).toBeLessThan(1500);
    }
    // The records are still cited, machine-readably, and one of them is the back pain condition.
    const cited = cards.flatMap(
      (card) => (card.extension?.['spine-cds.citations'] as Array<{ reference: string }>) ?? [],
    );
    expect(cited.map((entry) => entry.reference)).toContain('Condition/pw-no-fusion-lbp');
    expect(chromium.consoleErrors).toEqual([]);
  });

  test('a sciatica chart-open with many records: every card readable, ids only in the extension', async () => {
    const cards = await chartOpen('step-injection-radicular-after-6-weeks');
    const shown = await showCards(chromium.page, cards);
    expect(shown.length).toBe(cards.length);
    expect(shown.length).toBeGreaterThan(1);
    for (const card of shown) expect(card.text).not.toMatch(FHIR_REFERENCE);
    // Control: the detector finds an id when one is in the prose.
    const [control] = await showCards(chromium.page, [{ summary: 'control', detail: 'See `Condition/abc-1`.' }]);
    expect(control?.text).toMatch(FHIR_REFERENCE);
  });
});
