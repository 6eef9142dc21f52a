import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadScenarios } from '../../src/cli/scenarios/load';

/** Shared scenario resources: written once by name, each use a resource of the scenario's own patient. */

const FIXTURES = {
  resources: {
    'male-born-1980': { resourceType: 'Patient', gender: 'male', birthDate: '1980-04-10' },
    'low-back-pain-2026-11-07': {
      resourceType: 'Condition',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '279039007' }] },
      onsetDateTime: '2026-11-07',
    },
  },
};

function scenario(patientId: string, resources: unknown[]) {
  return {
    name: `scenario-${patientId}`,
    description: 'A patient made of fixtures.',
    now: '2026-11-21T12:00:00Z',
    hook: 'patient-view',
    patientId,
    resources,
    expect: { cards: [], absent: [] },
  };
}

function withRules(scenarios: unknown[], run: (rulesDir: string) => void): void {
  const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-fixtures-'));
  try {
    fs.mkdirSync(path.join(rulesDir, 'scenarios', 'fixtures'), { recursive: true });
    fs.writeFileSync(path.join(rulesDir, 'scenarios', 'fixtures', 'shared.json'), JSON.stringify(FIXTURES));
    fs.writeFileSync(path.join(rulesDir, 'scenarios', 'made-of-fixtures.json'), JSON.stringify({ scenarios }));
    run(rulesDir);
  } finally {
    fs.rmSync(rulesDir, { recursive: true, force: true });
  }
}

test('a named fixture becomes the scenario patient’s own resource: its id, its subject', () => {
  withRules(
    [
      scenario('fx-a', ['male-born-1980', 'low-back-pain-2026-11-07']),
      scenario('fx-b', ['male-born-1980', 'low-back-pain-2026-11-07']),
    ],
    (rulesDir) => {
      const { scenarios, problems } = loadScenarios(rulesDir);
      expect(problems).toEqual([]);
      expect(scenarios.map((loaded) => loaded.resources)).toEqual(
        ['fx-a', 'fx-b'].map((patientId) => [
          { resourceType: 'Patient', id: patientId, gender: 'male', birthDate: '1980-04-10' },
          {
            resourceType: 'Condition',
            id: `${patientId}-low-back-pain-2026-11-07`,
            code: FIXTURES.resources['low-back-pain-2026-11-07'].code,
            onsetDateTime: '2026-11-07',
            subject: { reference: `Patient/${patientId}` },
          },
        ]),
      );
    },
  );
});

test('an unknown fixture name is one problem, at the scenario, with the nearest name', () => {
  withRules([scenario('fx-c', ['male-born-1980', 'low-back-pain-2026-11-17'])], (rulesDir) => {
    const { scenarios, problems } = loadScenarios(rulesDir);
    expect(scenarios).toEqual([]);
    expect(problems).toEqual([
      {
        file: expect.stringContaining('made-of-fixtures.json'),
        scenario: 'scenario-fx-c',
        path: 'scenarios[0].resources[1]',
        code: 'unknown-fixture',
        message:
          'no fixture is named "low-back-pain-2026-11-17" in rules/scenarios/fixtures ' +
          'Did you mean "low-back-pain-2026-11-07"?',
      },
    ]);
  });
});

test('a fixture that carries its own id is refused where it is defined', () => {
  withRules([scenario('fx-d', ['male-born-1980', 'has-id'])], (rulesDir) => {
    const file = path.join(rulesDir, 'scenarios', 'fixtures', 'shared.json');
    const withId = {
      resources: { ...FIXTURES.resources, 'has-id': { ...FIXTURES.resources['low-back-pain-2026-11-07'], id: 'c1' } },
    };
    fs.writeFileSync(file, JSON.stringify(withId));
    const { problems } = loadScenarios(rulesDir);
    expect(problems).toEqual([
      {
        file: expect.stringContaining(path.join('fixtures', 'shared.json')),
        path: 'resources.has-id.id',
        code: 'invalid-scenario',
        message: 'must not be given: each scenario that names the fixture gives its copy its own id',
      },
    ]);
  });
});
