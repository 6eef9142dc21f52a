import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { CATALOGUE_CSP } from '../../src/catalogue/catalogue-route';
import { catalogueHtml } from '../../src/catalogue/render-catalogue';
import { launchChromium, type ObservedBrowser } from '../support/chromium';
import { bundledRuleSet, PROJECT_ROOT, startService, type RunningService } from '../support/spine-service';

describe('GET /rules in headless Chromium', () => {
  let service: RunningService;
  let chromium: ObservedBrowser;
  let page: Page;

  beforeAll(async () => {
    service = await startService();
    chromium = await launchChromium();
    page = chromium.page;
    const response = await page.goto(`${service.baseUrl}/rules`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await service?.close();
  });

  it('renders with the title and the rule-set version', async () => {
    const { version } = bundledRuleSet();
    expect(await page.title()).toContain('Rule catalogue');
    await expect(page.locator('#rule-set-version').innerText()).resolves.toBe(version);
    expect(await page.locator('h1').innerText()).toContain('rule catalogue');
  });

  it('lists every rule of the bundled rule set by name, grouped by pack', async () => {
    const ruleSet = bundledRuleSet();
    const shown = await page.locator('article.rule .rule-name').allInnerTexts();
    expect(shown).toEqual(ruleSet.rules.map((rule) => rule.spec.name));
    for (const pack of ruleSet.packs) {
      const inPack = await page.locator(`#pack-${pack.pack} article.rule .rule-name`).allInnerTexts();
      expect(inPack).toEqual(pack.rules.map((rule) => rule.name));
    }
  });

  it('shows conditions in words, with parameter names and their current values', async () => {
    const physiotherapy = page.locator('#rule-physiotherapy');
    const when = await physiotherapy.locator('.when').innerText();
    expect(when).toContain('any of:');
    expect(when).toMatch(/Latest pain score \(0–10\)\s*≥\s*physiotherapyMinPain \(7\)/);
    expect(when).toMatch(/Duration class .* is one of\s+subacute, chronic/);
    // The parameter links to its row in the parameter table, which shows the same value.
    await physiotherapy.locator('a.param', { hasText: 'physiotherapyMinPain' }).first().click();
    expect(page.url()).toMatch(/#param-physiotherapyMinPain$/);
    await expect(page.locator('#param-physiotherapyMinPain td.num').innerText()).resolves.toBe('7');
  });

  it('shows the card: indicator, evidence, a source link and suggestions with what they order', async () => {
    const card = page.locator('#rule-physiotherapy section.card');
    expect(await card.locator('.summary').innerText()).toBe('Refer for exercise-based physiotherapy');
    const sourceUrl = bundledRuleSet().rules.find((rule) => rule.spec.name === 'physiotherapy')?.spec.card.source.url;
    const source = card.locator(`a[href="${sourceUrl}"]`);
    expect(await source.count()).toBe(1);
    expect(await card.innerText()).toContain('Referral to physiotherapist (procedure)');
    expect(await page.locator('#rule-cauda-equina .badge.indicator').innerText()).toMatch(/critical/i);
  });

  it('draws the escalation pathway with its five steps in order', async () => {
    const steps = await page.locator('#pathway ol.steps > li.step .step-title').allInnerTexts();
    expect(steps).toEqual([
      'Self-care',
      'Physiotherapy',
      'Injection',
      'Non-surgical decompression',
      'Surgical referral',
    ]);
    expect(await page.locator('#step-physiotherapy .leads').innerText()).toContain('physiotherapy');
    expect(await page.locator('#step-surgery .leads').innerText()).toContain('surgical-referral');
  });

  it('lists the contents of each ValueSet', async () => {
    const ids = await page.locator('article.valueset .vs-id').allInnerTexts();
    expect(ids).toEqual(bundledRuleSet().terminology.valueSetIds());
    const lowBackPain = await page.locator('#vs-low-back-pain').innerText();
    expect(lowBackPain).toContain('279039007');
    expect(lowBackPain).toContain('Low back pain (finding)');
    expect(lowBackPain).toContain('M54.5 and all codes under it');
  });

  it('takes a screenshot: a non-empty PNG', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spine-cds-catalogue-')), 'catalogue.png');
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: file });
    const png = fs.readFileSync(file);
    expect(png.length).toBeGreaterThan(10_000);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('logs no console error and makes no failed request', () => {
    expect(chromium.consoleErrors).toEqual([]);
    expect(chromium.failedRequests).toEqual([]);
  });
});

describe('GET /rules over plain HTTP', () => {
  let rulesDir: string;
  let service: RunningService;
  const hostile = '<script>alert("rule text")</script>';

  beforeAll(async () => {
    // A copy of the bundled rules with markup in rule text: the page must show it as text.
    rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-cds-rules-'));
    fs.cpSync(path.join(PROJECT_ROOT, 'rules'), rulesDir, { recursive: true });
    const packFile = path.join(rulesDir, 'packs', 'pathway.json');
    const pack = JSON.parse(fs.readFileSync(packFile, 'utf8'));
    pack.rules[0].description = `Imaging ${hostile} & "quotes"`;
    pack.rules[0].card.summary = `<img src=x onerror=alert(1)>`;
    fs.writeFileSync(packFile, JSON.stringify(pack, null, 2));
    service = await startService({ SPINE_CDS_RULES_DIR: rulesDir });
  });

  afterAll(async () => {
    await service?.close();
    fs.rmSync(rulesDir, { recursive: true, force: true });
  });

  it('escapes rule text', async () => {
    const response = await fetch(`${service.baseUrl}/rules`);
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).not.toContain('<script');
    expect(body).not.toContain('<img');
    expect(body).toContain(
      'Imaging &lt;script&gt;alert(&quot;rule text&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;',
    );
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).not.toMatch(/href="javascript:/i);
  });

  it('sends HTML with a CSP that allows inline styles only', async () => {
    const response = await fetch(`${service.baseUrl}/rules`);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CATALOGUE_CSP);
    expect(CATALOGUE_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'");
    expect(response.headers.get('x-rule-set-version')).toBe(`${service.ruleSets.current().version}; profile=default`);
  });

  it('follows the live rule set across a reload', async () => {
    const before = service.ruleSets.current();
    const first = await (await fetch(`${service.baseUrl}/rules`)).text();
    expect(first).toContain(`id="rule-set-version">${before.version}<`);
    // An informaticist fixes the description; the reload swaps in a new RuleSet object and the page follows it.
    const packFile = path.join(rulesDir, 'packs', 'pathway.json');
    const pack = JSON.parse(fs.readFileSync(packFile, 'utf8'));
    pack.rules[0].description = 'Imaging description after the reload';
    fs.writeFileSync(packFile, JSON.stringify(pack, null, 2));
    expect(service.ruleSets.reload().status).toBe('replaced');
    const after = service.ruleSets.current();
    const second = await (await fetch(`${service.baseUrl}/rules`)).text();
    expect(second).toContain(`id="rule-set-version">${after.version}<`);
    expect(second).toContain('Imaging description after the reload');
    expect(second).not.toContain('&lt;script&gt;');
    // Each RuleSet object has its own cached page.
    expect(catalogueHtml(before)).toBe(first);
    expect(catalogueHtml(after)).toBe(second);
  });
});
