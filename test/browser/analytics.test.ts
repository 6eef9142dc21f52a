import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, type ObservedBrowser } from '../support/chromium';
import { accepted, issueCards, overridden, sendFeedback, type IssuedCard } from '../support/ledger-calls';
import { startService, type RunningService } from '../support/spine-service';

/** GET /rules/analytics in Debian's headless Chromium after a scripted run of hook calls and feedback. */
const CALLS = 3;

let service: RunningService;
let browser: ObservedBrowser;
let page: Page;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-cds-ledger-'));
  service = await startService({ SPINE_CDS_DATA_DIR: dataDir }, undefined, { ledger: true });

  // The script: three patient-views; physiotherapy accepted twice, the injection card overridden once.
  const calls: IssuedCard[][] = [];
  for (let i = 0; i < CALLS; i++) calls.push(await issueCards(service.baseUrl));
  const card = (call: number, rule: string) => calls[call].find((c) => c.rule === rule) as IssuedCard;
  const feedback = [
    accepted(card(0, 'physiotherapy')),
    accepted(card(1, 'physiotherapy')),
    overridden(card(0, 'injection-consider'), 'patient-declined'),
  ];
  expect((await sendFeedback(service.baseUrl, feedback)).status).toBe(200);
  await service.ledger!.flush();

  browser = await launchChromium();
  page = browser.page;
  const response = await page.goto(`${service.baseUrl}/rules/analytics`, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const cells = (rule: string) => page.locator(`#rule-table tr[data-rule="${rule}"] td`).allInnerTexts();

test('the rule table shows the counts of the scripted run', async () => {
  // Rule, shown, accepted, overridden, no response, acceptance rate.
  expect(await cells('physiotherapy')).toEqual(['physiotherapy', '3', '2', '0', '1', '100 %']);
  expect(await cells('injection-consider')).toEqual(['injection-consider', '3', '0', '1', '2', '0 %']);
  expect(await cells('not-recommended')).toEqual(['not-recommended', '3', '0', '0', '3', '–']);
  expect(await page.locator('#feedback-entries').innerText()).toBe('3');
  expect(await page.locator('#unmatched-feedback').innerText()).toBe('0');
});

test('override reasons are named as the rules name them, and each rule links to its catalogue entry', async () => {
  const section = page.locator('#figures-injection-consider');
  await expect(section.locator('.override-reasons').innerText()).resolves.toBe('Patient declined: 1');
  await section.locator('h2 a').click();
  await page.waitForURL(/\/rules#rule-injection-consider$/);
  expect(await page.locator('#rule-injection-consider').isVisible()).toBe(true);
  // …and the catalogue links back to the figures.
  await page.locator('#rule-injection-consider a.figures-link').click();
  await page.waitForURL(/\/rules\/analytics#figures-injection-consider$/);
  expect(await page.locator('#figures-injection-consider').isVisible()).toBe(true);
});

test('a card group links to its own section of the catalogue, which names its member rules', async () => {
  await page.goto(`${service.baseUrl}/rules/analytics`, { waitUntil: 'load' });
  await page.locator('#figures-not-recommended h2 a').click();
  await page.waitForURL(/\/rules#group-not-recommended$/);
  const group = page.locator('#group-not-recommended');
  expect(await group.isVisible()).toBe(true);
  await expect(group.locator('a[href="#rule-traction-discussion"]').count()).resolves.toBe(1);
  expect(await page.locator('#rule-traction-discussion').count()).toBe(1);
});

test('no script runs and the page breaks no CSP rule', async () => {
  expect(await page.locator('script').count()).toBe(0);
  expect(browser.consoleErrors).toEqual([]);
});
