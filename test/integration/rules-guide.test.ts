import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../support/spine-service';

/**
 * The worked examples of rules/README.md, run as an informaticist runs them: the compiled CLI (`npm test`
 * builds it) on a copy of the rules, changing the physiotherapy pain threshold, seeing `rules test` fail,
 * updating the scenario, seeing it pass, and asking `rules explain` why a patient got no injection card.
 */
const CLI = path.join(PROJECT_ROOT, 'dist', 'src', 'cli', 'spine-cds.js');
let workDir: string;

function cli(...args: string[]): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      SPINE_CDS_RULES_DIR: path.join(workDir, 'rules'),
      SPINE_CDS_VALUESETS_DIR: path.join(workDir, 'fhir-profiles', 'valuesets'),
    },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout + result.stderr };
}

/** The first fenced block of rules/README.md after the step that runs `marker`, unindented. */
function readmeBlockAfter(marker: string): string {
  const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'rules', 'README.md'), 'utf8');
  const after = readme.slice(readme.indexOf(`${marker}\` now fails`));
  const block = /```[a-z]*\n([\s\S]*?)\n\s*```/.exec(after)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/^ {3}/, ''))
    .join('\n')
    .trim();
}

function edit(file: string, change: (text: string) => string): void {
  const full = path.join(workDir, file);
  const before = fs.readFileSync(full, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  fs.writeFileSync(full, after);
}

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-guide-'));
  fs.cpSync(path.join(PROJECT_ROOT, 'rules'), path.join(workDir, 'rules'), { recursive: true });
  fs.cpSync(path.join(PROJECT_ROOT, 'fhir-profiles'), path.join(workDir, 'fhir-profiles'), { recursive: true });
});

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

test('the bundled rules check and their scenarios pass', () => {
  expect(cli('rules', 'check')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^✓ \d+ rules in 6 packs/) });
  const run = cli('rules', 'test');
  expect(run.stdout).toMatch(/\d+ passed, 0 failed/);
  expect(run.status).toBe(0);
});

test('changing the physiotherapy pain threshold fails its scenario until the scenario is updated', () => {
  edit('rules/parameters.json', (text) => text.replace(/("physiotherapyMinPain": \{ "value": )7/, '$19'));
  expect(cli('rules', 'check').status).toBe(0);

  const failing = cli('rules', 'test', path.join(workDir, 'rules', 'scenarios', 'pathway.json'));
  expect(failing.status).toBe(1);
  // The README quotes this run: its block must be the real output, passing scenarios' lines aside.
  expect(
    failing.stdout
      .split('\n')
      .filter((line) => !line.startsWith('PASS '))
      .join('\n')
      .trim(),
  ).toBe(readmeBlockAfter('npm run rules:test -- rules/scenarios/pathway.json'));
  expect(failing.stdout).toContain('FAIL rules/scenarios/pathway.json › step-physiotherapy-acute-severe-pain');
  expect(failing.stdout).toContain('FAIL rules/scenarios/pathway.json › step-injection-not-before-6-weeks');
  expect(failing.stdout).toContain('- missing (expected, not shown): physiotherapy');
  expect(failing.stdout).toMatch(/\d+ passed, 2 failed/);

  const scenarios = JSON.parse(fs.readFileSync(path.join(workDir, 'rules', 'scenarios', 'pathway.json'), 'utf8'));
  const named = (name: string) => scenarios.scenarios.find((s: { name: string }) => s.name === name);
  named('step-physiotherapy-acute-severe-pain').resources.find(
    (r: { id: string }) => r.id === 'pw-physio-pain-pain',
  ).valueQuantity.value = 9;
  const early = named('step-injection-not-before-6-weeks').expect;
  early.cards = early.cards.filter((card: string) => card !== 'physiotherapy');
  early.absent.push('physiotherapy');
  fs.writeFileSync(path.join(workDir, 'rules', 'scenarios', 'pathway.json'), JSON.stringify(scenarios, null, 2));
  expect(cli('rules', 'test', path.join(workDir, 'rules', 'scenarios', 'pathway.json')).status).toBe(0);
});

test('rules explain says which condition kept the injection card away', () => {
  const explained = cli(
    'rules',
    'explain',
    path.join(workDir, 'rules', 'scenarios', 'pathway.json'),
    '--scenario',
    'step-injection-not-for-mild-pain',
  );
  expect(explained.status).toBe(0);
  const section = explained.stdout.slice(explained.stdout.indexOf('  injection-consider:'));
  expect(section).toMatch(
    /✗ Pain score \(0–10\) after the conservative-care trial \(or recent\) ≥ injectionMinPain \(5\) — patient: 3/,
  );
  expect(section).toMatch(/✓ Radicular pain \(sciatica or radiculopathy\): yes — patient: yes/);
});

test('a broken edit is reported with file, rule and path, and the exit code says so', () => {
  edit('rules/packs/pathway.json', (text) => text.replace('"fact": "backPain"', '"fact": "backPian"'));
  const check = cli('rules', 'check');
  expect(check.status).toBe(1);
  expect(check.stdout).toMatch(
    /rules\/packs\/pathway\.json › rule "imaging-not-yet" › rules\[0\]\.when\.all\[0\]\.fact: "backPian" is unknown\. Did you mean "backPain"\?/,
  );
});
