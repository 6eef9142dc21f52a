import { setTimeout as sleep } from 'node:timers/promises';
import { accepted, analytics, issueCards, overridden, sendFeedback, type IssuedCard } from '../support/ledger-calls';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { startService, type RunningService } from '../support/spine-service';

/**
 * PostgreSQL taken away in the middle of a run: hook calls still answer, the cards they could not record are
 * counted, feedback is refused with 503 + Retry-After until the database is back, and then stored. Count in,
 * count out: every card is either in the ledger or counted as missed; every feedback entry acknowledged is stored.
 */

let postgres: TestPostgres;
let service: RunningService;

beforeAll(async () => {
  postgres = await startTestPostgres();
  service = await startService({ SPINE_CDS_DATABASE_URL: postgres.url }, undefined, { ledger: true });
});
afterAll(async () => {
  await service.close();
  postgres.destroy();
});

const CALLS_PER_PHASE = 5;

async function issueMany(): Promise<IssuedCard[]> {
  const cards: IssuedCard[] = [];
  for (let i = 0; i < CALLS_PER_PHASE; i++) cards.push(...(await issueCards(service.baseUrl)));
  return cards;
}

/** Retries like an EHR: after Retry-After, until the feedback is acknowledged. */
async function sendUntilStored(entries: unknown[]): Promise<number[]> {
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 40; attempt++) {
    const response = await sendFeedback(service.baseUrl, entries);
    statuses.push(response.status);
    if (response.status === 200) return statuses;
    await sleep(250);
  }
  return statuses;
}

test(`the store stopped mid-run: hook calls answer, missed \
cards are counted, feedback waits for the store and is then kept`, async () => {
  const before = await issueMany();
  await service.ledger!.flush();

  postgres.stop();
  const during = await issueMany(); // every call answered 200 (issueCards throws otherwise)
  await service.ledger!.flush();
  const refused = await sendFeedback(service.baseUrl, [accepted(before[0]), overridden(before[1], 'patient-declined')]);
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('5');
  expect(refused.body.resourceType).toBe('OperationOutcome');
  expect((await fetch(`${service.baseUrl}/rules/analytics?format=json`)).status).toBe(503);

  postgres.start();
  const statuses = await sendUntilStored([accepted(before[0]), overridden(before[1], 'patient-declined')]);
  expect(statuses.at(-1)).toBe(200);
  const after = await issueMany();
  await service.ledger!.flush();

  const issued = before.length + during.length + after.length;
  const { cardsRecorded, cardsMissed } = service.ledger!.stats();
  expect(cardsRecorded).toBe(before.length + after.length);
  expect(cardsMissed).toBe(during.length);
  expect(cardsRecorded + cardsMissed).toBe(issued);
  const missedLogged = service.logs
    .filter((line) => line.event === 'ledger-write-failed')
    .reduce((sum, line) => sum + (line.cards as number), 0);
  expect(missedLogged).toBe(during.length);

  const report = await analytics(service.baseUrl);
  const shown = report.rules.reduce((sum: number, rule: { shown: number }) => sum + rule.shown, 0);
  expect(shown).toBe(cardsRecorded);
  expect(report.feedbackEntries).toBe(2);
  expect(report.unmatchedFeedback).toBe(0);
  process.stdout.write(
    `ledger fault test: ${issued} cards issued (${during.length} while PostgreSQL was down), ` +
      `${cardsRecorded} recorded + ${cardsMissed} counted missed; ` +
      `feedback answered ${statuses.join(',')} after the restart, 2 entries in, ${report.feedbackEntries} stored\n`,
  );
});
