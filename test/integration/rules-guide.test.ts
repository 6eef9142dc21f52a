import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FACT_DEFINITIONS } from '../../src/clinical/facts';
import { loadTerminology, type Terminology } from '../../src/fhir/terminology';
import { applyExampleFiles, exampleFiles, outputBlocks, readmeSection } from '../support/rules-readme';
import { runCompiledCli } from '../support/compiled-cli';
import { PROJECT_ROOT } from '../support/spine-service';

/**
 * The worked examples of rules/README.md, run as an informaticist runs them: the compiled CLI (`npm test`
 * builds it) on a copy of the rules, changing the physiotherapy pain threshold, seeing `rules test` fail,
 * updating the scenario, seeing it pass, asking `rules explain` why a patient got no injection card, adding a code,
 * and declaring a new fact from a new ValueSet.
 */
let workDir: string;

function cli(...args: string[]): { status: number | null; stdout: string } {
  return cliIn(workDir, ...args);
}

function cliIn(root: string, ...args: string[]): { status: number | null; stdout: string } {
  const result = runCompiledCli(args, {
    env: {
      SPINE_CDS_RULES_DIR: path.join(root, 'rules'),
      SPINE_CDS_VALUESETS_DIR: path.join(root, 'fhir-profiles', 'valuesets'),
    },
  });
  return { status: result.status, stdout: result.stdout + result.stderr };
}

/** `rules explain` of one scenario of a file in rules/scenarios. */
function explainScenario(root: string, file: string, scenario: string): { status: number | null; stdout: string } {
  return cliIn(root, 'rules', 'explain', path.join(root, 'rules', 'scenarios', file), '--scenario', scenario);
}

/** A fresh copy of the bundled rules and ValueSets, for an example that must not see the others' edits. */
function copyProject(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-guide-'));
  fs.cpSync(path.join(PROJECT_ROOT, 'rules'), path.join(root, 'rules'), { recursive: true });
  fs.cpSync(path.join(PROJECT_ROOT, 'fhir-profiles'), path.join(root, 'fhir-profiles'), { recursive: true });
  return root;
}

const terminologyOf = (root: string): Terminology =>
  loadTerminology(path.join(root, 'fhir-profiles', 'valuesets'), {
    codeSystemDir: path.join(root, 'fhir-profiles', 'codesystems'),
  });

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
  expect(cli('rules', 'check')).toMatchObject({
    status: 0,
    stdout: expect.stringMatching(/^✓ \d+ rules in 6 packs/),
  });
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
  const explained = explainScenario(workDir, 'pathway.json', 'step-injection-not-for-mild-pain');
  expect(explained.status).toBe(0);
  const section = explained.stdout.slice(explained.stdout.indexOf('  injection-consider:'));
  expect(section).toMatch(
    new RegExp(
      /✗ Pain score \(0–10\) after the conservative-care trial \(or recent\) /.source +
        /≥ injectionMinPain \(5\) — patient: 3/.source,
    ),
  );
  expect(section).toMatch(/✓ Radicular pain \(sciatica or radiculopathy\): yes — patient: yes/);
});

test('the add-a-code example adds a code no ValueSet holds yet, and the code then counts as radicular pain', () => {
  const section = readmeSection('## Add a code');
  const concept = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(section)?.[1] ?? 'null');
  const system = /`(http[^`]+)`/.exec(section)?.[1] as string;
  const coding = { system, code: concept.code };
  expect(terminologyOf(PROJECT_ROOT).valueSetsOf(coding)).toEqual([]);

  const root = copyProject();
  try {
    const file = path.join(root, 'fhir-profiles', 'valuesets', 'radicular-pain.json');
    const valueSet = JSON.parse(fs.readFileSync(file, 'utf8'));
    const include = valueSet.compose.include.find(
      (candidate: { system: string; concept?: unknown[] }) => candidate.system === system && candidate.concept,
    );
    include.concept.push(concept);
    fs.writeFileSync(file, JSON.stringify(valueSet, null, 2));
    expect(cliIn(root, 'rules', 'check').status).toBe(0);
    expect(terminologyOf(root).valueSetsOf(coding)).toEqual(['radicular-pain']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

describe('the new-fact example, step by step', () => {
  const section = readmeSection('## Worked example: a new fact from a new ValueSet');
  const files = exampleFiles(section);
  const file = (target: string) => files.find((candidate) => candidate.target === target)?.value;
  let root: string;
  beforeAll(() => {
    root = copyProject();
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('shows a ValueSet, a declared fact, a rule and scenarios, all new', () => {
    expect(files.map(({ target }) => target)).toEqual([
      'fhir-profiles/valuesets/depression.json',
      'rules/facts.json',
      'rules/packs/pathway.json',
      'rules/scenarios/psychosocial.json',
    ]);
    const bundled = terminologyOf(PROJECT_ROOT);
    const valueSet = file('fhir-profiles/valuesets/depression.json');
    expect(bundled.has(valueSet.id)).toBe(false);
    for (const include of valueSet.compose.include as Array<{
      system: string;
      concept?: Array<{ code: string }>;
      filter?: Array<{ value: string }>;
    }>) {
      const codes = [...(include.concept ?? []).map((c) => c.code), ...(include.filter ?? []).map((f) => f.value)];
      for (const code of codes) expect(bundled.valueSetsOf({ system: include.system, code })).toEqual([]);
    }
    for (const name of Object.keys(file('rules/facts.json').facts)) expect(FACT_DEFINITIONS.has(name)).toBe(false);
    const bundledRules = fs
      .readdirSync(path.join(PROJECT_ROOT, 'rules', 'packs'))
      .flatMap((name) => JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'rules', 'packs', name), 'utf8')).rules)
      .map((rule: { name: string }) => rule.name);
    expect(bundledRules).not.toContain(file('rules/packs/pathway.json').name);
  });

  test('checks, passes its scenarios and is explained with the Condition it read', () => {
    applyExampleFiles(root, files);
    expect(cliIn(root, 'rules', 'check')).toMatchObject({
      status: 0,
      stdout: expect.stringMatching(/^✓ .* all valid/),
    });

    const [testOutput, factLines, cardLine] = outputBlocks(section);
    const run = cliIn(root, 'rules', 'test', path.join(root, 'rules', 'scenarios', 'psychosocial.json'));
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(testOutput?.trim());

    const explained = explainScenario(root, 'psychosocial.json', 'psychosocial-depression-chronic-pain');
    expect(explained.status).toBe(0);
    expect(explained.stdout).toContain(`${factLines}\n`);
    expect(explained.stdout.slice(explained.stdout.indexOf('CARDS SHOWN'))).toContain(`${cardLine}\n`);
  });

  test('each mistake the README names is one problem, quoted as the check prints it', () => {
    const quoted = /`(rules\/facts\.json › [^`]+)`/.exec(section)?.[1]?.replace(/\s*\n\s*/g, ' ');
    const factsFile = path.join(root, 'rules', 'facts.json');
    const declared = fs.readFileSync(factsFile, 'utf8');
    fs.writeFileSync(factsFile, declared.replace('"depression"', '"depresion"'));
    const misspeltValueSet = cliIn(root, 'rules', 'check');
    expect(misspeltValueSet.status).toBe(1);
    expect(misspeltValueSet.stdout).toContain('1 problem(s)');
    expect(misspeltValueSet.stdout).toContain(`- ${quoted}`);
    fs.writeFileSync(factsFile, declared);

    const packFile = path.join(root, 'rules', 'packs', 'pathway.json');
    const pack = fs.readFileSync(packFile, 'utf8');
    fs.writeFileSync(packFile, pack.replace('"fact": "depressionDiagnosed"', '"fact": "depressionDiagnosd"'));
    const misspeltFact = cliIn(root, 'rules', 'check');
    expect(misspeltFact.stdout).toContain('1 problem(s)');
    expect(misspeltFact.stdout).toContain('"depressionDiagnosd" is unknown. Did you mean "depressionDiagnosed"?');
    fs.writeFileSync(packFile, pack);
    expect(cliIn(root, 'rules', 'check').status).toBe(0);
  });
});

test('a broken edit is reported with file, rule and path, and the exit code says so', () => {
  edit('rules/packs/pathway.json', (text) => text.replace('"fact": "backPain"', '"fact": "backPian"'));
  const check = cli('rules', 'check');
  expect(check.status).toBe(1);
  const quoted = readmeSection('## What happens on reload, and when an edit is wrong')
    .split('\n')
    .find((line) => line.startsWith('- rules/packs/pathway.json › rule "imaging-not-yet"'));
  expect(check.stdout.split('\n')).toContain(quoted);
  expect(check.stdout).toMatch(
    new RegExp(
      /rules\/packs\/pathway\.json › rule "imaging-not-yet" › rules\[0\]\.when\.all\[0\]\.fact: /.source +
        /"backPian" is unknown\. Did you mean "backPain"\?/.source,
    ),
  );
});
