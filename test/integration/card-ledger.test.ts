import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { runCompiledCli } from '../support/compiled-cli';
import { accepted, analytics, issueCards, overridden, sendFeedback } from '../support/ledger-calls';
import { startService, type RunningService } from '../support/spine-service';
import { TYPICAL_PATIENT_VIEW_CARDS } from '../fixtures/patients';

/**
 * The embedded ledger behind the real app: cards recorded, feedback joined, analytics served, nothing about the
 * patient kept.
 */

const SECRET_COMMENT = 'Mrs Example said no, see note 12345';
let dataDir: string;
let service: RunningService;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-cds-ledger-'));
  service = await startService({ SPINE_CDS_DATA_DIR: dataDir }, undefined, { ledger: true });
});
afterAll(async () => {
  await service.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const figuresOf = (report: any, rule: string) => report.rules.find((entry: any) => entry.rule === rule);

test('cards issued and the feedback on them are joined per rule in the analytics', async () => {
  const cards = await issueCards(service.baseUrl);
  expect(cards.map((card) => card.rule).sort()).toEqual([...TYPICAL_PATIENT_VIEW_CARDS].sort());
  const byRule = Object.fromEntries(cards.map((card) => [card.rule, card]));
  const response = await sendFeedback(service.baseUrl, [
    accepted(byRule.physiotherapy),
    overridden(byRule['injection-consider'], 'patient-declined', SECRET_COMMENT),
  ]);
  expect(response.status).toBe(200);
  await service.ledger!.flush();

  const report = await analytics(service.baseUrl);
  expect(report.store).toBe('embedded');
  expect(figuresOf(report, 'physiotherapy')).toMatchObject({ shown: 1, accepted: 1, overridden: 0, noResponse: 0 });
  expect(figuresOf(report, 'injection-consider')).toMatchObject({
    shown: 1,
    accepted: 0,
    overridden: 1,
    acceptanceRate: 0,
    overrideReasons: [{ reason: 'patient-declined', cards: 1 }],
  });
  expect(figuresOf(report, 'not-recommended')).toMatchObject({ shown: 1, noResponse: 1, acceptanceRate: null });
  expect(figuresOf(report, 'physiotherapy').versions).toEqual([
    expect.objectContaining({ ruleSetVersion: service.ruleSets.current().version, shown: 1 }),
  ]);
  expect(service.ledger!.stats()).toMatchObject({ cardsRecorded: 4, cardsMissed: 0, cardsPending: 0 });
});

test('feedback about a card the ledger does not know is stored and counted as unmatched, not refused', async () => {
  const before = await analytics(service.baseUrl);
  const stranger = { uuid: randomUUID(), rule: 'x', suggestions: [] };
  expect((await sendFeedback(service.baseUrl, [overridden(stranger)])).status).toBe(200);
  const after = await analytics(service.baseUrl);
  expect(after.unmatchedFeedback - before.unmatchedFeedback).toBe(1);
  expect(after.feedbackEntries - before.feedbackEntries).toBe(1);
});

test('a retried feedback call is stored once', async () => {
  const [card] = await issueCards(service.baseUrl);
  await service.ledger!.flush();
  const before = await analytics(service.baseUrl);
  for (let i = 0; i < 3; i++) expect((await sendFeedback(service.baseUrl, [accepted(card)])).status).toBe(200);
  const after = await analytics(service.baseUrl);
  expect(after.feedbackEntries - before.feedbackEntries).toBe(1);
});

test('the ledger holds no patient identifier, user or comment, and the log no comment', async () => {
  await service.ledger!.flush();
  const stored = fs
    .readdirSync(dataDir)
    .map((file) => fs.readFileSync(path.join(dataDir, file)).toString('latin1'))
    .join('');
  expect(stored).toContain('physiotherapy');
  for (const secret of ['p-typical', 'Practitioner/example-clinician', SECRET_COMMENT]) {
    expect(stored).not.toContain(secret);
    expect(service.rawLogs()).not.toContain(secret);
  }
});

test('the analytics page: the catalogue CSP, no script, every rule linked to the catalogue', async () => {
  const response = await fetch(`${service.baseUrl}/rules/analytics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-security-policy')).toBe(
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
  );
  const page = await response.text();
  expect(page).not.toMatch(/<script/i);
  // Each card's rule (or card group, such as not-recommended) links to an anchor the catalogue has.
  const catalogue = await (await fetch(`${service.baseUrl}/rules`)).text();
  for (const rule of TYPICAL_PATIENT_VIEW_CARDS) {
    const target = new RegExp(`href="/rules#([\\w-]+)">${rule}</a>`).exec(page)?.[1];
    expect(target).toBeDefined();
    expect(catalogue).toContain(`id="${target}"`);
  }
});

test('a bad since is a 400 naming it', async () => {
  const response = await fetch(`${service.baseUrl}/rules/analytics?since=yesterday`);
  expect(response.status).toBe(400);
  expect(((await response.json()) as any).issue[0].expression).toEqual(['since']);
});

test('with the ledger off there are no analytics, and feedback is still answered', async () => {
  const off = await startService({ SPINE_CDS_LEDGER: 'off', SPINE_CDS_DATA_DIR: dataDir }, undefined, { ledger: true });
  try {
    expect((await fetch(`${off.baseUrl}/rules/analytics`)).status).toBe(404);
    const [card] = await issueCards(off.baseUrl);
    expect((await sendFeedback(off.baseUrl, [accepted(card)])).status).toBe(200);
  } finally {
    await off.close();
  }
});

test('configured: the ledger keeps an HMAC of the patient id (never the id) and the free-text comments', async () => {
  const keyedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-cds-ledger-'));
  const secret = 'k'.repeat(40);
  const keyed = await startService(
    { SPINE_CDS_DATA_DIR: keyedDir, SPINE_CDS_LEDGER_PATIENT_KEY_SECRET: secret, SPINE_CDS_FEEDBACK_COMMENTS: 'store' },
    undefined,
    { ledger: true },
  );
  try {
    const [card] = await issueCards(keyed.baseUrl);
    expect((await sendFeedback(keyed.baseUrl, [overridden(card, undefined, SECRET_COMMENT)])).status).toBe(200);
    await keyed.ledger!.flush();
    const stored = fs
      .readdirSync(keyedDir)
      .map((file) => fs.readFileSync(path.join(keyedDir, file)).toString('latin1'))
      .join('');
    const { createHmac } = await import('node:crypto');
    expect(stored).toContain(createHmac('sha256', secret).update('p-typical').digest('hex'));
    expect(stored).not.toContain('p-typical');
    expect(stored).toContain(SECRET_COMMENT);
    expect(keyed.rawLogs()).not.toContain(SECRET_COMMENT);
  } finally {
    await keyed.close();
    fs.rmSync(keyedDir, { recursive: true, force: true });
  }
});

describe('spine-cds feedback report (the compiled CLI, reading the same store)', () => {
  const run = (args: string[]) =>
    runCompiledCli(['feedback', 'report', ...args], { env: { SPINE_CDS_DATA_DIR: dataDir } });

  test('json gives the figures of GET /rules/analytics; csv and table one row per rule and per version', async () => {
    await service.ledger!.flush();
    const http = await analytics(service.baseUrl);
    const json = run(['--format', 'json', '--since', http.since]);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout).rules).toEqual(http.rules);

    const csv = run(['--format', 'csv']).stdout.trim().split('\n');
    expect(csv[0]).toBe('rule,ruleSetVersion,shown,accepted,overridden,noResponse,acceptanceRate');
    const physiotherapy = http.rules.find((rule: any) => rule.rule === 'physiotherapy');
    expect(csv).toContain(
      [
        'physiotherapy',
        'all',
        ...['shown', 'accepted', 'overridden', 'noResponse', 'acceptanceRate'].map((field) => physiotherapy[field]),
      ].join(','),
    );
    const versions = http.rules.reduce((sum: number, rule: any) => sum + rule.versions.length, 0);
    expect(csv).toHaveLength(1 + http.rules.length + versions);

    const table = run([]);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^physiotherapy +all +\d+/m);
  });

  test('misuse is exit code 2 with the reason', () => {
    expect(run(['--format', 'xml'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--format') });
    expect(run(['--since', 'last week'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--since') });
  });
});
