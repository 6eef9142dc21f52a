import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (test/support/ensure-chromium.sh installs it); never a downloaded browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ObservedBrowser {
  browser: BrowserContext;
  page: Page;
  consoleErrors: string[];
  /** Requests that failed or answered 400 and above. */
  failedRequests: string[];
  /** Every URL the page asked for. */
  requestedUrls: string[];
  close(): Promise<void>;
}

/** Headless Chromium with a fresh, empty profile, and one page whose errors and requests are recorded. */
export async function launchChromium(): Promise<ObservedBrowser> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run bash test/support/ensure-chromium.sh (npm test does)`);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-cds-chromium-'));
  // Playwright passes the profile folder to Chromium as --user-data-dir.
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1366, height: 900 },
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  const observed = { consoleErrors: [] as string[], failedRequests: [] as string[], requestedUrls: [] as string[] };
  page.on('console', (message) => {
    if (message.type() === 'error') observed.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => observed.consoleErrors.push(error.message));
  page.on('request', (request) => observed.requestedUrls.push(request.url()));
  page.on('requestfailed', (request) =>
    observed.failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) observed.failedRequests.push(`${response.url()}: HTTP ${response.status()}`);
  });
  return {
    browser,
    page,
    ...observed,
    async close() {
      await browser.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
