import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildHookRequest } from '../../src/cli/scenarios/hook-request';
import { compareCards, runScenario } from '../../src/cli/scenarios/run';
import { formatScenarioProblem, formatScenarioReport } from '../../src/cli/scenarios/report';
import { loadScenarios } from '../../src/cli/scenarios/load';
import { prefetchFor } from '../../src/cli/scenarios/prefetch-for';
import type { Scenario } from '../../src/cli/scenarios/types';
import { dataRequirements } from '../../src/cds/services';
import { bundledRuleSet } from '../support/spine-service';

/** The scenario runner itself: validation messages, comparison, the request it builds, and the report. */

const ruleSet = bundledRuleSet();
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-scenarios-'));
  fs.mkdirSync(path.join(dir, 'scenarios'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const patient = (id: string) => ({ resourceType: 'Patient', id, gender: 'male', birthDate: '1980-01-01' });
const lbp = (pid: string, onset: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Condition',
  id: `${pid}-lbp`,
  subject: { reference: `Patient/${pid}` },
  code: { coding: [{ system: 'http://snomed.info/sct', code: '279039007', display: 'Low back pain (finding)' }] },
  onsetDateTime: onset,
  ...extra,
});

function scenario(overrides: Partial<Scenario> & { name: string }): Scenario {
  return {
    description: 'test',
    now: '2026-11-21T12:00:00Z',
    hook: 'patient-view',
    patientId: 'p1',
    resources: [patient('p1'), lbp('p1', '2026-11-07')] as Scenario['resources'],
    expect: { cards: ['self-care'], absent: ['physiotherapy'] },
    ...overrides,
  };
}

function write(name: string, content: unknown): string {
  const file = path.join(dir, 'scenarios', name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

const problemsOf = (files: string[]) => loadScenarios(dir, files, ruleSet).problems.map(formatScenarioProblem);

test('a valid file loads, with the file recorded on each scenario', () => {
  const file = write('ok.json', { scenarios: [scenario({ name: 'ok' })] });
  const { scenarios, problems } = loadScenarios(dir, [file], ruleSet);
  expect(problems).toEqual([]);
  expect(scenarios.map((s) => [s.file, s.name])).toEqual([
    [path.join(path.basename(dir), 'scenarios', 'ok.json'), 'ok'],
  ]);
});

test('JSON syntax errors name the line', () => {
  const file = write('broken.json', '{\n  "scenarios": [\n    { "name": "x", }\n  ]\n}');
  expect(problemsOf([file]).join('\n')).toMatch(/broken\.json.*not valid JSON.*line 3/);
});

test('schema problems name the scenario and the field, in plain words', () => {
  const bad = { ...scenario({ name: 'bad' }), hook: 'patient-open', expect: { cards: [] } };
  const problems = problemsOf([write('bad.json', { scenarios: [bad] })]);
  expect(problems.join('\n')).toMatch(
    new RegExp(
      /scenario "bad" › scenarios\[0\]\.hook: "patient-open" is unknown\. Did you mean "patient-view"\? /.source +
        /It must be one of: "patient-view", "order-select", "order-sign"/.source,
    ),
  );
  expect(problems.join('\n')).toMatch(/scenario "bad" › scenarios\[0\]\.expect: "absent" is missing/);
});

test('a misspelt FHIR element is reported rather than silently ignored', () => {
  const typo = scenario({
    name: 'typo',
    resources: [
      patient('p1'),
      { ...lbp('p1', '2026-11-07'), onsetDateTime: undefined, onsetDatetime: '2026-11-07' },
    ] as Scenario['resources'],
  });
  expect(problemsOf([write('typo.json', { scenarios: [typo] })])).toEqual([
    expect.stringMatching(
      new RegExp(
        /scenario "typo" › scenarios\[0\]\.resources\[1\]: /.source +
          /"onsetDatetime" is not a known field here \(check the spelling\)/.source,
      ),
    ),
  ]);
});

test('what the schema cannot know: rule names, hooks, patients, references, selections, duplicates', () => {
  const problems = problemsOf([
    write('a.json', {
      scenarios: [
        scenario({ name: 'dup', expect: { cards: ['self-car'], absent: ['order-traction'] } }),
        scenario({ name: 'no-patient', resources: [lbp('p1', '2026-11-07')] as Scenario['resources'] }),
        scenario({ name: 'foreign', resources: [patient('p1'), lbp('p2', '2026-11-07')] as Scenario['resources'] }),
      ],
    }),
    write('b.json', {
      scenarios: [
        scenario({
          name: 'dup',
          patientId: 'p3',
          resources: [patient('p3'), lbp('p1', '2026-01-01')] as Scenario['resources'],
          expect: { cards: ['self-care'], absent: ['self-care'] },
        }),
      ],
    }),
  ]);
  const text = problems.join('\n');
  expect(text).toMatch(/expect\.cards\[0\]: no rule is named "self-car" \(did you mean "self-care"\?\)/);
  expect(text).toMatch(/expect\.absent\[0\]: rule "order-traction" never runs on patient-view/);
  expect(text).toMatch(/scenario "no-patient" › resources: must contain exactly one Patient \(found 0\)/);
  expect(text).toMatch(/scenario "foreign" › resources\[1\]\.subject: must be Patient\/p1, got Patient\/p2/);
  expect(text).toMatch(/b\.json › scenario "dup" › name: is already used by a scenario in .*a\.json/);
  expect(text).toMatch(/expect\.absent\[0\]: "self-care" is also listed in expect\.cards/);
  expect(text).toMatch(/Condition\/p1-lbp is also used, with different content, by scenario "dup"/);
});

test('order-select needs selections that name draft orders', () => {
  const order = {
    resourceType: 'ServiceRequest',
    id: 'o1',
    status: 'draft',
    intent: 'order',
    subject: { reference: 'Patient/p1' },
    code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '97012' }] },
  };
  const problems = problemsOf([
    write('o.json', {
      scenarios: [
        scenario({
          name: 'missing-selections',
          hook: 'order-select',
          draftOrders: [order] as never,
          expect: { cards: [], absent: [] },
        }),
        scenario({
          name: 'wrong-selection',
          hook: 'order-select',
          draftOrders: [order] as never,
          selections: ['ServiceRequest/o2'],
          expect: { cards: [], absent: [] },
        }),
        scenario({ name: 'no-drafts', hook: 'order-sign', expect: { cards: [], absent: [] } }),
      ],
    }),
  ]).join('\n');
  expect(problems).toMatch(/"missing-selections" › selections: is required for order-select/);
  expect(problems).toMatch(/"wrong-selection" › selections\[0\]: "ServiceRequest\/o2" is not one of the draftOrders/);
  expect(problems).toMatch(/"no-drafts" › draftOrders: is required for order-sign/);
});

test('compareCards: missing, forbidden and (with exactly) extra cards', () => {
  expect(compareCards({ cards: ['a'], absent: ['b'] }, ['a', 'c'])).toEqual({
    passed: true,
    missing: [],
    unexpected: [],
  });
  expect(compareCards({ cards: ['a', 'd'], absent: ['b'] }, ['b', 'c'])).toEqual({
    passed: false,
    missing: ['a', 'd'],
    unexpected: ['b'],
  });
  expect(compareCards({ cards: ['a'], absent: [], exactly: true }, ['c', 'a'])).toEqual({
    passed: false,
    missing: [],
    unexpected: ['c'],
  });
});

test(`the prefetch is what an EHR sends for the service templates: active prescriptions, \
only the observation codes asked for`, () => {
  const resources = [
    patient('p1'),
    {
      resourceType: 'MedicationRequest',
      id: 'm1',
      status: 'active',
      subject: { reference: 'Patient/p1' },
      medicationCodeableConcept: { coding: [{ code: '855332' }] },
    },
    {
      resourceType: 'MedicationRequest',
      id: 'm2',
      status: 'stopped',
      subject: { reference: 'Patient/p1' },
      medicationCodeableConcept: { coding: [{ code: '855332' }] },
    },
    {
      resourceType: 'Observation',
      id: 'o1',
      status: 'final',
      subject: { reference: 'Patient/p1' },
      code: { coding: [{ system: 'http://loinc.org', code: '72514-3' }] },
    },
    {
      resourceType: 'Observation',
      id: 'o2',
      status: 'final',
      subject: { reference: 'Patient/p1' },
      code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] },
    },
  ] as Scenario['resources'];
  const prefetch = prefetchFor(resources, 'p1', dataRequirements(ruleSet)) as Record<string, any>;
  expect(prefetch.patient.id).toBe('p1');
  expect(prefetch.medications.entry.map((e: any) => e.resource.id)).toEqual(['m1']);
  expect(prefetch.observations.entry.map((e: any) => e.resource.id)).toEqual(['o1']);
  expect(prefetch.procedures).toEqual({ resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] });
});

test('buildHookRequest: draft orders as a Bundle, no prefetch on request', () => {
  const order = {
    resourceType: 'ServiceRequest',
    id: 'o1',
    status: 'draft',
    intent: 'order',
    subject: { reference: 'Patient/p1' },
    code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '97012' }] },
  };
  const s = scenario({
    name: 'x',
    hook: 'order-select',
    draftOrders: [order] as never,
    selections: ['ServiceRequest/o1'],
  });
  const body = buildHookRequest(s, ruleSet, {
    prefetch: 'none',
    fhirServer: 'http://fhir.example/r4',
  }) as any;
  expect(body).toMatchObject({
    hook: 'order-select',
    fhirServer: 'http://fhir.example/r4',
    context: { patientId: 'p1', selections: ['ServiceRequest/o1'] },
  });
  expect(body.context.draftOrders).toEqual({
    resourceType: 'Bundle',
    type: 'collection',
    entry: [{ resource: order }],
  });
  expect(body.prefetch).toBeUndefined();
});

test('runScenario uses the scenario clock and reports a readable difference', async () => {
  const acute = await runScenario(scenario({ name: 'acute' }), ruleSet);
  expect(acute).toMatchObject({ passed: true, missing: [], unexpected: [] });
  expect(acute.cards).toContain('self-care');

  // The same record three months later is chronic: the expectation no longer holds, and the report says why.
  const later = await runScenario(
    { ...scenario({ name: 'later', now: '2027-02-21T12:00:00Z' }), file: 'rules/scenarios/x.json' },
    ruleSet,
  );
  expect(later).toMatchObject({ passed: false, missing: ['self-care'], unexpected: ['physiotherapy'] });
  const report = formatScenarioReport([acute, later]);
  expect(report).toContain('FAIL rules/scenarios/x.json › later [patient-view at 2027-02-21T12:00:00Z]');
  expect(report).toContain('- missing (expected, not shown): self-care');
  expect(report).toContain('+ unexpected (shown, must not be): physiotherapy');
  expect(report).toContain('1 passed, 1 failed, 2 scenario(s)');
});

test('a request the service rejects is a failed scenario with the reason, not an exception', async () => {
  const result = await runScenario(
    scenario({
      name: 'bad-id',
      patientId: 'has space',
      resources: [{ ...patient('has space') }] as Scenario['resources'],
    }),
    ruleSet,
  );
  expect(result.passed).toBe(false);
  expect(result.error).toMatch(/patientId/);
});
