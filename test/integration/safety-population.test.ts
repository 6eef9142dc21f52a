import { generatePatients } from '../population/generate-patients';
import { populationRequests, SERVICE_OF } from '../population/population-requests';
import { CHECKS, truthOf, violations, type Violation } from '../population/safety-oracle';
import { postJson, startService, TEST_NOW, type RunningService } from '../support/spine-service';

/**
 * The safety population: at least 1,000 generated patients, each answered by the running service over loopback HTTP
 * (patient-view, and order-sign for a random pathway order for some), every response checked by an oracle written
 * from docs/clinical.md alone (test/population: its own code lists; it imports nothing from rules/ or src/clinical).
 * Any violation fails. SAFETY_SEED explores another population; SAFETY_PATIENTS changes its size.
 */

const SEED = Number(process.env.SAFETY_SEED ?? 20261128);
const PATIENTS = Number(process.env.SAFETY_PATIENTS ?? 1000);
const CONCURRENCY = 8;

let service: RunningService;
beforeAll(async () => {
  service = await startService();
});
afterAll(async () => service.close());

test(`safety population (seed ${SEED}, ${PATIENTS} \
patients): every response passes the docs/clinical.md oracle`, async () => {
  const patients = generatePatients(PATIENTS, SEED, TEST_NOW);
  const found: Array<Violation & { patient: string; hook: string }> = [];
  let responses = 0;
  let cards = 0;
  const queue = [...patients];
  const worker = async () => {
    for (let patient = queue.shift(); patient; patient = queue.shift()) {
      const truth = truthOf(patient.resources, TEST_NOW);
      for (const { hook, body } of populationRequests(patient)) {
        const response = await postJson(`${service.baseUrl}/cds-services/${SERVICE_OF[hook]}`, body);
        responses++;
        cards += response.body?.cards?.length ?? 0;
        found.push(
          ...violations(response.status, response.body, truth).map((v) => ({ ...v, patient: patient.id, hook })),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  const perCheck = Object.fromEntries(
    Object.keys(CHECKS).map((check) => [check, found.filter((v) => v.check === check).length]),
  );
  if (process.env.SAFETY_REPORT)
    console.log(JSON.stringify({ seed: SEED, patients: PATIENTS, responses, cards, violations: perCheck }));
  // The population must exercise what it checks: otherwise zero violations would prove nothing.
  const truths = patients.map((p) => truthOf(p.resources, TEST_NOW));
  expect(truths.filter((t) => t.deceased).length).toBeGreaterThan(PATIENTS / 50);
  expect(truths.filter((t) => t.redFlags.length > 0 && !t.deceased).length).toBeGreaterThan(PATIENTS / 10);
  expect(truths.filter((t) => t.nsaidCautions.length > 0).length).toBeGreaterThan(PATIENTS / 10);
  expect(truths.filter((t) => t.contraindications.traction.some((c) => c.absolute)).length).toBeGreaterThan(
    PATIENTS / 10,
  );
  expect(patients.length).toBeGreaterThanOrEqual(Math.min(PATIENTS, 1000));
  expect(found.slice(0, 25)).toEqual([]);
  expect(perCheck).toEqual(Object.fromEntries(Object.keys(CHECKS).map((check) => [check, 0])));
}, 120_000);
