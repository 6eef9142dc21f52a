import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../support/free-port';
import { accepted, issueCards, sendFeedback } from '../support/ledger-calls';
import { sign, signingKey, writeTrustFile, type SigningKey } from '../support/jwt';
import { PROJECT_ROOT } from '../support/spine-service';

/** GET /metrics of the compiled server: on its own port only, with the figures of what the service did. */
const SERVER = path.join(PROJECT_ROOT, 'dist', 'src', 'server.js');
const PUBLIC_BASE = 'https://spine-cds.example';
const ISSUER = 'https://ehr.example';
const HOOK = '/cds-services/spine-patient-view';

let child: ChildProcessWithoutNullStreams;
let baseUrl: string;
let metricsUrl: string;
let key: SigningKey;
let trustFile: string;
let dataDir: string;

beforeAll(async () => {
  key = await signingKey('ES384');
  trustFile = writeTrustFile({ issuers: [{ iss: ISSUER, jwks: { keys: [key.publicJwk] } }] });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-cds-ledger-'));
  const metricsPort = await freePort();
  child = spawn(process.execPath, [SERVER], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      SPINE_CDS_TRUST_FILE: trustFile,
      SPINE_CDS_PUBLIC_BASE_URL: PUBLIC_BASE,
      SPINE_CDS_DATA_DIR: dataDir,
      SPINE_CDS_METRICS_PORT: String(metricsPort),
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (const deadline = Date.now() + 20_000; !baseUrl && Date.now() < deadline; await sleep(50)) {
    const listening = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .find((line) => line.msg === 'spine-cds listening');
    if (listening) baseUrl = `http://127.0.0.1:${listening.port}`;
  }
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
});

afterAll(async () => {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  fs.rmSync(path.dirname(trustFile), { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const bearer = async (servicePath: string) => ({
  authorization: `Bearer ${await sign(key, { iss: ISSUER, aud: PUBLIC_BASE + servicePath, now: new Date() })}`,
});

test(`hook calls, cards per rule, feedback per rule and \
refusals are counted; the public port has no /metrics`, async () => {
  expect(baseUrl).toBeDefined();
  expect((await fetch(`${baseUrl}${HOOK}`, { method: 'POST' })).status).toBe(401);
  const cards = await issueCards(baseUrl, await bearer(HOOK));
  // The feedback metric names the card's rule from the ledger: wait until the cards are written.
  for (let pending = 1; pending > 0; await sleep(20))
    pending = ((await (await fetch(`${baseUrl}/readyz`)).json()) as any).ledger.cardsPending;
  expect((await sendFeedback(baseUrl, [accepted(cards[0])], await bearer(`${HOOK}/feedback`))).status).toBe(200);

  const metrics = await (await fetch(metricsUrl)).text();
  expect(metrics).toContain('spine_cds_auth_rejections_total{reason="no-token"} 1');
  expect(metrics).toContain('spine_cds_hook_call_duration_seconds_count{service="spine-patient-view"} 1');
  for (const card of cards)
    expect(metrics).toMatch(new RegExp(`spine_cds_cards_total\\{rule="${card.rule}",indicator="\\w+"\\} 1`));
  expect(metrics).toContain(`spine_cds_feedback_total{rule="${cards[0].rule}",outcome="accepted"} 1`);
  expect(metrics).toContain('spine_cds_ledger_missed_cards_total 0');
  expect((await fetch(`${baseUrl}/metrics`)).status).toBe(404);
});
