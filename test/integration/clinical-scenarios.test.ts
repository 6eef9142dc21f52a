import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { responseViolations } from '../../src/cds/response-check';
import { serviceDefinitions } from '../../src/cds/services';
import type { CdsResponse } from '../../src/cds/types';
import type { HookName } from '../../src/cds/protocol/hooks';
import { buildHookRequest } from '../../src/cli/scenarios/hook-request';
import { compareCards, ruleNamesOf } from '../../src/cli/scenarios/run';
import { formatScenarioProblem, formatScenarioResult } from '../../src/cli/scenarios/report';
import { loadScenarios } from '../../src/cli/scenarios/load';
import type { LoadedScenario } from '../../src/cli/scenarios/types';
import { startFhirTestServer, type FhirTestServer } from '../support/fhir-test-server';
import { requestToStu3 } from '../support/older-fhir';
import { knownProfiles } from '../../src/rules/profiles';
import { bundledRuleSet, postJson, PROJECT_ROOT, startService, type RunningService } from '../support/spine-service';

/**
 * Every scenario of rules/scenarios/*.json, and of each rule profile's scenarios folder under that profile, over real
 * HTTP, three times: with the full prefetch an EHR would send, with no prefetch at all (the service fetching
 * everything from a real FHIR server), and with the full prefetch in FHIR STU3 form. All must give the same cards in
 * the same order.
 */

const ruleSet = bundledRuleSet();
const loaded = knownProfiles(path.join(PROJECT_ROOT, 'rules')).map((profile) => ({
  profile,
  ...loadScenarios(path.join(PROJECT_ROOT, 'rules'), undefined, bundledRuleSet(profile)),
}));
const scenarios = loaded.flatMap(({ profile, scenarios }) => scenarios.map((scenario) => ({ ...scenario, profile })));
const problems = loaded.flatMap(({ problems }) => problems);
/** The service's clock is fixed at start, so one service per profile and distinct `now`. */
const serviceKey = (scenario: { profile: string; now: string }) => `${scenario.profile} ${scenario.now}`;
const serviceIds = new Map(serviceDefinitions(ruleSet).map((service) => [service.hook, service.id]));

/**
 * The embedded FHIR server searches by scanning every stored resource, so a search over all scenarios' data takes
 * hundreds of milliseconds. Scenarios are spread over a few servers of SCENARIOS_PER_SERVER each.
 */
const SCENARIOS_PER_SERVER = 12;
const fhirServers: FhirTestServer[] = [];
const fhirOf = new Map<string, FhirTestServer>();
const services = new Map<string, RunningService>();

beforeAll(async () => {
  for (let start = 0; start < scenarios.length; start += SCENARIOS_PER_SERVER) {
    const group = scenarios.slice(start, start + SCENARIOS_PER_SERVER);
    const fhir = await startFhirTestServer();
    fhirServers.push(fhir);
    const seen = new Set<string>();
    const resources: Resource[] = [];
    for (const scenario of group) {
      fhirOf.set(scenario.name, fhir);
      for (const resource of scenario.resources) {
        const key = `${resource.resourceType}/${resource.id}`;
        if (!seen.has(key)) resources.push(resource);
        seen.add(key);
      }
    }
    await fhir.load(resources);
  }
  const allowlist = fhirServers.map((fhir) => fhir.baseUrl).join(',');
  for (const scenario of scenarios) {
    if (services.has(serviceKey(scenario))) continue;
    const env = {
      SPINE_CDS_RULES_PROFILE: scenario.profile,
      SPINE_CDS_FHIR_SERVERS: allowlist,
      SPINE_CDS_FHIR_DEADLINE_MS: '15000',
    };
    services.set(serviceKey(scenario), await startService(env, new Date(scenario.now)));
  }
}, 60_000);

afterAll(async () => {
  await Promise.all([...services.values()].map((service) => service.close()));
  await Promise.all(fhirServers.map((fhir) => fhir.close()));
});

test('the scenario files are valid', () => {
  expect(problems.map(formatScenarioProblem)).toEqual([]);
  expect(scenarios.length).toBeGreaterThan(0);
  expect(loaded.map(({ profile, scenarios }) => [profile, scenarios.length > 0])).toEqual([
    ['default', true],
    ['decompression-clinic', true],
  ]);
});

async function call(
  scenario: LoadedScenario & { profile: string },
  body: Record<string, unknown>,
): Promise<{ cards: string[]; response: CdsResponse }> {
  const service = services.get(serviceKey(scenario)) as RunningService;
  const answer = await postJson(`${service.baseUrl}/cds-services/${serviceIds.get(scenario.hook as HookName)}`, body);
  if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${JSON.stringify(answer.body)}`);
  return { cards: ruleNamesOf(answer.body), response: answer.body as CdsResponse };
}

function expectToMeet(scenario: LoadedScenario, cards: string[], how: string): void {
  const outcome = compareCards(scenario.expect, cards);
  const report = formatScenarioResult({
    ...outcome,
    name: scenario.name,
    file: scenario.file,
    hook: scenario.hook,
    now: scenario.now,
    cards,
  });
  // The report names the missing and unexpected cards, so a failure reads like the `rules test` output.
  expect(`${how}: ${outcome.passed ? 'PASS' : report}`).toBe(`${how}: PASS`);
}

describe.each(scenarios.map((scenario) => [`${scenario.file} › ${scenario.name}`, scenario] as const))(
  '%s',
  (_title, scenario) => {
    test(`full prefetch, no prefetch (FHIR server) and STU3 \
prefetch all meet the expectation, with the same cards`, async () => {
      const prefetched = await call(scenario, buildHookRequest(scenario, ruleSet));
      expectToMeet(scenario, prefetched.cards, 'with prefetch');
      expect(responseViolations(prefetched.response)).toEqual([]);

      const fetched = await call(
        scenario,
        buildHookRequest(scenario, ruleSet, {
          prefetch: 'none',
          fhirServer: (fhirOf.get(scenario.name) as FhirTestServer).baseUrl,
        }),
      );
      expectToMeet(scenario, fetched.cards, 'fetched from the FHIR server');
      expect(fetched.cards).toEqual(prefetched.cards);

      // Beyond the rule names: the same text and the same suggestions (ids and generated resources aside).
      const comparable = (response: CdsResponse) =>
        response.cards.map((card) => ({
          summary: card.summary,
          indicator: card.indicator,
          detail: card.detail,
          suggestions: card.suggestions?.map((suggestion) => suggestion.label),
        }));
      expect(comparable(fetched.response)).toEqual(comparable(prefetched.response));

      // The same data as an STU3 EHR would send it: exactly the same cards.
      const stu3 = await call(scenario, requestToStu3(buildHookRequest(scenario, ruleSet)));
      expect(stu3.cards).toEqual(prefetched.cards);
      expect(comparable(stu3.response)).toEqual(comparable(prefetched.response));
    });
  },
);
