import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { accepted, analytics, issueCards, overridden, sendFeedback } from '../support/ledger-calls';
import { sign, signingKey, writeTrustFile, type SigningKey } from '../support/jwt';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { PROJECT_ROOT } from '../support/spine-service';

/**
 * Two service processes (the compiled server, as `npm start` runs it) behind one public URL, sharing one
 * PostgreSQL: the card ledger, the jti replay cache and the rate-limit buckets hold across both.
 */
const SERVER = path.join(PROJECT_ROOT, 'dist', 'src', 'server.js');
const PUBLIC_BASE = 'https://spine-cds.example';
const LEDGER_ISSUER = 'https://ehr-ledger.example';
const LIMITED_ISSUER = 'https://ehr-limited.example';
const BURST = 4;

interface Instance {
  url: string;
  child: ChildProcessWithoutNullStreams;
  logs: () => Array<Record<string, any>>;
}

let postgres: TestPostgres;
let trustFile: string;
let keys: Record<string, SigningKey>;
let a: Instance;
let b: Instance;

async function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const logs = () =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, any>);
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(50)) {
    const listening = logs().find((line) => line.msg === 'spine-cds listening');
    if (listening) return { url: `http://127.0.0.1:${listening.port}`, child, logs };
    if (child.exitCode !== null) break;
  }
  child.kill('SIGKILL');
  throw new Error(`the service did not start:\n${output}`);
}

beforeAll(async () => {
  postgres = await startTestPostgres();
  keys = { ledger: await signingKey('ES384'), limited: await signingKey('ES384') };
  trustFile = writeTrustFile({
    issuers: [
      { iss: LEDGER_ISSUER, jwks: { keys: [keys.ledger.publicJwk] } },
      { iss: LIMITED_ISSUER, jwks: { keys: [keys.limited.publicJwk] } },
    ],
  });
  const env = {
    SPINE_CDS_DATABASE_URL: postgres.url,
    SPINE_CDS_TRUST_FILE: trustFile,
    SPINE_CDS_PUBLIC_BASE_URL: PUBLIC_BASE,
    SPINE_CDS_RATE_LIMIT_PER_SECOND: '1',
    SPINE_CDS_RATE_LIMIT_BURST: String(BURST),
    SPINE_CDS_IP_RATE_LIMIT_PER_SECOND: '0',
  };
  // Both start at once: the schema migration runs once, under PostgreSQL's advisory lock.
  [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
}, 60_000);

afterAll(async () => {
  for (const instance of [a, b]) {
    if (!instance) continue;
    const exited = new Promise((resolve) => instance.child.once('exit', resolve));
    instance.child.kill('SIGTERM');
    await exited;
  }
  postgres.destroy();
  fs.rmSync(path.dirname(trustFile), { recursive: true, force: true });
});

const bearer = async (issuer: 'ledger' | 'limited', servicePath: string) => {
  const iss = issuer === 'ledger' ? LEDGER_ISSUER : LIMITED_ISSUER;
  return {
    authorization: `Bearer ${await sign(keys[issuer], { iss, aud: PUBLIC_BASE + servicePath, now: new Date() })}`,
  };
};
const HOOK = '/cds-services/spine-patient-view';

test('a card issued by A and the feedback that reaches B are joined in the analytics of either', async () => {
  const cards = await issueCards(a.url, await bearer('ledger', HOOK));
  // The compiled server evaluates at today's date, so which cards come depends on the day: take the first two.
  expect(cards.length).toBeGreaterThanOrEqual(2);
  const [first, second] = cards;
  const response = await sendFeedback(
    b.url,
    [accepted(first), overridden(second, 'clinical-judgement')],
    await bearer('ledger', `${HOOK}/feedback`),
  );
  expect(response.status).toBe(200);
  // A writes its cards within moments (hook calls never wait for the store).
  let report: any;
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await sleep(100)) {
    report = await analytics(b.url);
    if (report.rules.length >= cards.length) break;
  }
  const of = (rule: string) => report.rules.find((entry: any) => entry.rule === rule);
  expect(report.store).toBe('postgres');
  expect(of(first.rule)).toMatchObject({ shown: 1, accepted: 1 });
  expect(of(second.rule)).toMatchObject({
    shown: 1,
    overridden: 1,
    overrideReasons: [{ reason: 'clinical-judgement', cards: 1 }],
  });
  expect(report.unmatchedFeedback).toBe(0);
  expect((await analytics(a.url)).rules).toEqual(report.rules);
});

test('a token accepted by A is refused by B: the jti is remembered across instances', async () => {
  const token = await bearer('ledger', '/cds-services');
  expect((await fetch(`${a.url}/cds-services`, { headers: token })).status).toBe(200);
  expect((await fetch(`${b.url}/cds-services`, { headers: token })).status).toBe(401);
  // B's log line says why (it reaches this process through a pipe, so it may take a moment).
  let refusal: Record<string, any> | undefined;
  for (const deadline = Date.now() + 3000; !refusal && Date.now() < deadline; await sleep(50))
    refusal = b.logs().find((line) => line.event === 'auth-rejected' && line.reason === 'jti was already used');
  expect(refusal).toBeDefined();
});

test("a client's rate limit holds across both instances", async () => {
  const started = Date.now();
  const statuses: Array<{ instance: string; status: number }> = [];
  for (let i = 0; i < 4 * BURST; i++) {
    const instance = i % 2 === 0 ? a : b;
    const response = await fetch(`${instance.url}/cds-services`, { headers: await bearer('limited', '/cds-services') });
    statuses.push({ instance: instance === a ? 'A' : 'B', status: response.status });
  }
  const elapsedSeconds = (Date.now() - started) / 1000;
  const allowed = statuses.filter((entry) => entry.status === 200).length;
  // One bucket for the client: the burst plus what refilled at 1/s, not a burst per instance.
  expect(allowed).toBeGreaterThanOrEqual(BURST);
  expect(allowed).toBeLessThanOrEqual(BURST + Math.ceil(elapsedSeconds));
  expect(allowed).toBeLessThan(2 * BURST);
  for (const name of ['A', 'B'])
    expect(statuses.some((entry) => entry.instance === name && entry.status === 429)).toBe(true);
  expect(statuses.every((entry) => entry.status === 200 || entry.status === 429)).toBe(true);
  process.stdout.write(
    `two instances: ${statuses.length} calls of one client alternating A/B in ${elapsedSeconds.toFixed(2)} s: ` +
      `${allowed} allowed (burst ${BURST}, 1/s), ${statuses.length - allowed} answered 429\n`,
  );
});

test(`with PostgreSQL away, a token cannot be checked \
for replay: 503 with Retry-After, not a silent accept`, async () => {
  postgres.stop();
  const response = await fetch(`${a.url}/cds-services`, { headers: await bearer('ledger', '/cds-services') });
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('5');
  postgres.start();
  for (let status = 0, tries = 0; status !== 200 && tries < 40; tries++, await sleep(250))
    status = (await fetch(`${a.url}/cds-services`, { headers: await bearer('ledger', '/cds-services') })).status;
  expect((await fetch(`${b.url}/cds-services`, { headers: await bearer('ledger', '/cds-services') })).status).toBe(200);
});
