import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { launchChromium, type ObservedBrowser } from '../support/chromium';
import { COMPILED_CLI as CLI } from '../support/compiled-cli';
import { PROJECT_ROOT } from '../support/spine-service';

interface Sandbox {
  process: ChildProcess;
  simulatorUrl: string;
  output: () => string;
}

/** Starts the compiled CLI as a user would (`spine-cds sandbox`) on free ports; resolves once it prints its URLs. */
function startSandboxCli(): Promise<Sandbox> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test does)`);
  const child = spawn(process.execPath, [CLI, 'sandbox', '--port', '0', '--fhir-port', '0'], {
    cwd: PROJECT_ROOT,
    // The FHIR deadline is not what this test is about: a generous one keeps a busy machine from turning the
    // no-prefetch reads into 412s (test/integration/hook-calls.test.ts tests the deadline itself).
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', SPINE_CDS_FHIR_DEADLINE_MS: '10000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open the EHR simulator:\s+(\S+)/.exec(output);
      if (match) resolve({ process: child, simulatorUrl: match[1], output: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`spine-cds sandbox exited with ${code}:\n${output}`)));
  });
}

describe('spine-cds sandbox: the EHR simulator in headless Chromium', () => {
  let sandbox: Sandbox;
  let chromium: ObservedBrowser;
  let page: Page;

  beforeAll(async () => {
    sandbox = await startSandboxCli();
    chromium = await launchChromium();
    page = chromium.page;
    const response = await page.goto(sandbox.simulatorUrl, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    await page.locator('body[data-ready="true"]').waitFor();
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    if (sandbox) {
      const exited = new Promise((resolve) => sandbox.process.once('exit', resolve));
      sandbox.process.kill('SIGTERM');
      await exited;
    }
  });

  /** Fires the chosen hook and waits for the service's answer to be shown. */
  async function fire(options: { patient: string; hook: string; prefetch: string; order?: string }): Promise<void> {
    await page.selectOption('#patient', options.patient);
    await page.selectOption('#hook', options.hook);
    if (options.order) await page.selectOption('#order', options.order);
    await page.selectOption('#prefetch', options.prefetch);
    const answered = page.waitForResponse((response) => response.url().endsWith(`/cds-services/spine-${options.hook}`));
    await page.click('#fire');
    expect((await answered).status()).toBe(200);
    await page.locator('#status', { hasText: 'card(s)' }).waitFor();
  }

  it('lists the example patients with their story', async () => {
    const options = await page.locator('#patient option').allInnerTexts();
    expect(options.length).toBeGreaterThanOrEqual(15);
    expect(options.find((text) => /cauda equina/i.test(text))).toBeDefined();
  });

  it.each(['full', 'partial', 'none'])(
    'shows the critical cauda equina card on patient-view with %s prefetch',
    async (prefetch) => {
      await fire({ patient: 'sandbox-cauda-equina', hook: 'patient-view', prefetch });
      const critical = page.locator('#cards article.card.critical');
      expect(await critical.count()).toBeGreaterThanOrEqual(1);
      expect(await critical.first().locator('h3').innerText()).toMatch(/cauda equina/i);
      // The request shown is the one sent: with none, no prefetch; the service read the FHIR server.
      const request = JSON.parse(await page.locator('#request').innerText());
      expect(Object.keys(request.prefetch).length > 0).toBe(prefetch !== 'none');
      expect(request.fhirServer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir\/R4$/);
      expect(await page.locator('#response-timing').innerText()).toMatch(/HTTP 200 in \d+ ms/);
    },
  );

  it('renders card Markdown as HTML, with the source as a link', async () => {
    const card = page.locator('#cards article.card.critical').first();
    expect(await card.locator('.detail p').count()).toBeGreaterThan(0);
    expect(await card.locator('.detail').innerText()).not.toMatch(/\*\*/);
    expect(await card.locator('.source a').getAttribute('href')).toMatch(/^https:\/\//);
  });

  it(`shows a card about traction for a chronic patient when \
traction is selected, and sends feedback on a suggestion`, async () => {
    await fire({ patient: 'sandbox-chronic', hook: 'order-select', prefetch: 'full', order: 'traction' });
    const request = JSON.parse(await page.locator('#request').innerText());
    expect(request.context.selections).toEqual(['ServiceRequest/draft-traction']);
    const traction = page.locator('#cards article.card', { has: page.locator('h3', { hasText: /traction/i }) });
    expect(await traction.count()).toBeGreaterThanOrEqual(1);
    const suggestion = traction.first().locator('button.suggestion').first();
    const feedback = page.waitForResponse((response) =>
      response.url().endsWith('/cds-services/spine-order-select/feedback'),
    );
    await suggestion.click();
    expect((await feedback).status()).toBe(200);
    await expect(page.locator('#feedback-status').innerText()).resolves.toBe('HTTP 200');
    expect(sandbox.output()).toContain('"event":"feedback"');
  });

  it('sends an override with a reason the card offers', async () => {
    const overrides = page.locator('#cards button.override');
    expect(await overrides.count()).toBeGreaterThanOrEqual(1);
    const feedback = page.waitForResponse((response) => response.url().endsWith('/feedback'));
    await overrides.first().click();
    expect((await feedback).status()).toBe(200);
    await expect(page.locator('#feedback').innerText()).resolves.toContain('"outcome": "overridden"');
  });

  it('stays on loopback, with no console error and no failed request', () => {
    expect(chromium.requestedUrls.length).toBeGreaterThan(5);
    expect(chromium.requestedUrls.filter((url) => new URL(url).hostname !== '127.0.0.1')).toEqual([]);
    expect(chromium.consoleErrors).toEqual([]);
    expect(chromium.failedRequests).toEqual([]);
  });
});
