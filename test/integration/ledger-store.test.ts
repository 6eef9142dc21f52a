import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { CardRecord, FeedbackRecord, LedgerStore } from '../../src/ledger/ledger-store';
import { openLedgerStore } from '../../src/ledger/open-store';
import { createLogger } from '../../src/logger';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

/** One contract, one suite: every test runs against the embedded file store and against a real PostgreSQL. */

const DAY = 24 * 60 * 60 * 1000;
const MONDAY = Date.parse('2026-11-16T00:00:00Z');
const logger = createLogger('silent');

let postgres: TestPostgres;
let dataDir: string;
beforeAll(async () => {
  postgres = await startTestPostgres();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-cds-ledger-'));
});
afterAll(() => {
  postgres.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function card(rule: string, issuedAt: number, ruleSetVersion = 'v1'): CardRecord {
  return {
    cardUuid: randomUUID(),
    suggestionUuids: [randomUUID()],
    rule,
    ruleSetVersion,
    service: 'spine-patient-view',
    hook: 'patient-view',
    indicator: 'info',
    issuedAt,
  };
}

function feedback(of: CardRecord, outcome: 'accepted' | 'overridden', overrideReason?: string): FeedbackRecord {
  return {
    cardUuid: of.cardUuid,
    service: of.service,
    outcome,
    acceptedSuggestions: outcome === 'accepted' ? of.suggestionUuids : [],
    ...(overrideReason ? { overrideReason } : {}),
    outcomeAt: of.issuedAt + 60_000,
    receivedAt: of.issuedAt + 61_000,
  };
}

describe.each([
  ['embedded', () => ({ dataDir: path.join(dataDir, 'embedded') })],
  ['postgres', () => ({ dataDir, databaseUrl: postgres.url })],
])('ledger store: %s', (kind, settings) => {
  const open = () =>
    openLedgerStore({ enabled: true, retentionDays: 365, storeComments: false, ...settings() }, logger);
  let store: LedgerStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store.close());

  test('it is the store asked for; a second instance migrates (a no-op) and sees what the first wrote', async () => {
    expect(store.kind).toBe(kind);
    const shared = card('rule-shared', MONDAY);
    await store.recordCards([shared]);
    const again = await open();
    const rows = (await again.figures(MONDAY)).cardWeeks.filter((row) => row.rule === 'rule-shared');
    expect(rows.map((row) => row.shown)).toEqual([1]);
    await again.close();
  });

  test(`cards and feedback are joined per rule, rule-set \
version and week; repeats and strangers are counted right`, async () => {
    const since = MONDAY;
    const before = await store.figures(since);
    const week1 = [card('rule-a', MONDAY + DAY), card('rule-a', MONDAY + DAY), card('rule-a', MONDAY + 2 * DAY)];
    const week2 = [card('rule-a', MONDAY + 8 * DAY, 'v2'), card('rule-b', MONDAY + 9 * DAY)];
    await store.recordCards([...week1, ...week2]);
    await store.recordFeedback([
      feedback(week1[0], 'accepted'),
      feedback(week1[1], 'overridden', 'patient-declined'),
      feedback(week2[0], 'overridden'),
    ]);
    // An EHR retry of the same entries is stored once.
    await store.recordFeedback([feedback(week1[0], 'accepted')]);
    // Feedback on a card this ledger never issued is kept and counted as unmatched.
    await store.recordFeedback([feedback(card('rule-a', MONDAY + DAY), 'accepted')]);

    const figures = await store.figures(since);
    const mine = figures.cardWeeks.filter((row) => row.weekStart >= MONDAY);
    expect(mine).toEqual(
      expect.arrayContaining([
        { rule: 'rule-a', ruleSetVersion: 'v1', weekStart: MONDAY, shown: 3, accepted: 1, overridden: 1 },
        { rule: 'rule-a', ruleSetVersion: 'v2', weekStart: MONDAY + 7 * DAY, shown: 1, accepted: 0, overridden: 1 },
        { rule: 'rule-b', ruleSetVersion: 'v1', weekStart: MONDAY + 7 * DAY, shown: 1, accepted: 0, overridden: 0 },
      ]),
    );
    expect(figures.overrideReasons).toEqual(
      expect.arrayContaining([
        { rule: 'rule-a', ruleSetVersion: 'v1', reason: 'patient-declined', cards: 1 },
        { rule: 'rule-a', ruleSetVersion: 'v2', cards: 1 },
      ]),
    );
    expect(figures.feedbackEntries - before.feedbackEntries).toBe(4);
    expect(figures.unmatchedFeedback - before.unmatchedFeedback).toBe(1);
  });

  test('figures start at the date asked for', async () => {
    const old = card('rule-old', MONDAY - 30 * DAY);
    await store.recordCards([old]);
    const figures = await store.figures(MONDAY - 7 * DAY);
    expect(figures.cardWeeks.some((row) => row.rule === 'rule-old')).toBe(false);
    expect((await store.figures(0)).cardWeeks.some((row) => row.rule === 'rule-old')).toBe(true);
  });

  test('pruning removes cards and feedback older than the cut-off and nothing newer', async () => {
    const ancient = card('rule-prune', MONDAY - 400 * DAY);
    const recent = card('rule-prune', MONDAY);
    await store.recordCards([ancient, recent]);
    await store.recordFeedback([feedback(ancient, 'accepted'), feedback(recent, 'accepted')]);
    const removed = await store.prune(MONDAY - 365 * DAY);
    expect(removed).toBeGreaterThanOrEqual(2);
    const rows = (await store.figures(0)).cardWeeks.filter((row) => row.rule === 'rule-prune');
    expect(rows).toEqual([
      { rule: 'rule-prune', ruleSetVersion: 'v1', weekStart: MONDAY, shown: 1, accepted: 1, overridden: 0 },
    ]);
  });

  test('a large batch is written whole', async () => {
    const many = Array.from({ length: 1234 }, () => card('rule-bulk', MONDAY + DAY));
    await store.recordCards(many);
    const [row] = (await store.figures(MONDAY)).cardWeeks.filter((r) => r.rule === 'rule-bulk');
    expect(row.shown).toBe(1234);
  });
});
