import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCompiledCli } from '../support/compiled-cli';
import { PROJECT_ROOT } from '../support/spine-service';

/**
 * A reviewer's view of a rule change: `rules diff` (the compiled CLI, as rule authors run it) lists, per scenario,
 * the cards a change adds, removes or rewords, against a folder or a git revision.
 */
let project: string;

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return runCompiledCli(args, {
    cwd: project,
    env: {
      SPINE_CDS_RULES_DIR: path.join(project, 'rules'),
      SPINE_CDS_VALUESETS_DIR: path.join(project, 'fhir-profiles', 'valuesets'),
    },
  });
}

function raisePhysiotherapyThreshold(): void {
  const file = path.join(project, 'rules', 'parameters.json');
  const parameters = JSON.parse(fs.readFileSync(file, 'utf8'));
  parameters.parameters.physiotherapyMinPain.value = 9; // the acute-severe-pain scenario's patient scores 8
  fs.writeFileSync(file, JSON.stringify(parameters, null, 2));
}

beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-diff-'));
  fs.cpSync(path.join(PROJECT_ROOT, 'rules'), path.join(project, 'rules'), { recursive: true });
  fs.cpSync(path.join(PROJECT_ROOT, 'fhir-profiles'), path.join(project, 'fhir-profiles'), { recursive: true });
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

test('against a folder: the scenarios whose cards change, and nothing else', () => {
  const before = path.join(project, 'before');
  fs.cpSync(path.join(project, 'rules'), path.join(before, 'rules'), { recursive: true });
  raisePhysiotherapyThreshold();
  const diff = cli('rules', 'diff', before);
  expect(diff.status).toBe(0);
  expect(diff.stdout).toMatch(
    new RegExp(
      /rules\/scenarios\/pathway\.json › step-physiotherapy-acute-severe-pain \[patient-view\]\n/.source +
        / {2}- physiotherapy {2}info: "Refer for exercise-based physiotherapy"/.source,
    ),
  );
  const changed = Number(/(\d+) scenario\(s\) with changed cards/.exec(diff.stdout)?.[1]);
  expect(changed).toBeGreaterThan(0);
  expect(diff.stdout.match(/^rules\/scenarios\//gm)).toHaveLength(changed);
  expect(diff.stdout).not.toContain('+ physiotherapy');
});

test('against a git revision, and an unchanged set shows no change', () => {
  const git = (...args: string[]) =>
    spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { cwd: project });
  git('init', '-q', '-b', 'main');
  git('add', 'rules', 'fhir-profiles');
  git('commit', '-qm', 'bundled rules');
  const unchanged = cli('rules', 'diff', 'HEAD');
  expect(unchanged.stdout).toMatch(/\n0 scenario\(s\) with changed cards, \d+ unchanged\.\n$/);

  raisePhysiotherapyThreshold();
  const diff = cli('rules', 'diff', 'HEAD');
  expect(diff.status).toBe(0);
  expect(diff.stdout).toMatch(/^Cards under HEAD \([0-9a-f]{12}\) → the live folders \([0-9a-f]{12}\)/);
  expect(diff.stdout).toContain('step-physiotherapy-acute-severe-pain [patient-view]\n  - physiotherapy');
});

test('a side that is neither a folder nor a revision is a clear error with exit code 2', () => {
  const diff = cli('rules', 'diff', 'no-such-revision');
  expect(diff.status).toBe(2);
  expect(diff.stderr).toMatch(/"no-such-revision" is neither a folder nor a git revision here/);
});
