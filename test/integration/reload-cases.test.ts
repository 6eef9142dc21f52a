import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadRuleSet } from '../../src/rules/load-rule-set';
import { RuleSetHolder } from '../../src/rules/rule-set-holder';
import { watchRuleSet } from '../../src/rules/watch-rule-set';
import { PROJECT_ROOT, startService, type RunningService } from '../support/spine-service';

/**
 * Every way a rule file changes on disk goes live, and keeps going live on the next change: edited in place, replaced
 * (sed -i, editors' safe write), renamed over, switched by git checkout, added, deleted, and swapped the way Kubernetes
 * updates a mounted ConfigMap. The bound: file events reload after the 100 ms debounce used here; the ConfigMap swap,
 * which no file event reports reliably, within the content-check interval (1 s here, 10 s by default).
 */

const RELOAD_BOUND_MS = 4000;

let rulesDir: string;
let valueSetsDir: string;
let service: RunningService;

async function readyz(): Promise<{ ruleSetVersion: string; lastReload?: { changedFiles: string[] } }> {
  return (await fetch(`${service.baseUrl}/readyz`)).json() as Promise<{
    ruleSetVersion: string;
    lastReload?: { changedFiles: string[] };
  }>;
}

/** The version the files on disk load as, and /readyz once it names it (or the last answer at the bound). */
async function expectLive(changedFile: string): Promise<void> {
  const expected = loadRuleSet(rulesDir, valueSetsDir).version;
  const deadline = Date.now() + RELOAD_BOUND_MS;
  let live = await readyz();
  while (live.ruleSetVersion !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    live = await readyz();
  }
  expect(live.ruleSetVersion).toBe(expected);
  expect(live.lastReload?.changedFiles).toContain(changedFile);
}

function setParameter(file: string, name: string, value: number): string {
  const parameters = JSON.parse(fs.readFileSync(file, 'utf8'));
  parameters.parameters[name].value = value;
  return JSON.stringify(parameters, null, 2);
}

const parametersFile = () => path.join(rulesDir, 'parameters.json');

async function start(root: string, pollSeconds: number): Promise<void> {
  rulesDir = path.join(root, 'rules');
  valueSetsDir = path.join(root, 'fhir-profiles', 'valuesets');
  service = await startService(
    {
      SPINE_CDS_RULES_DIR: rulesDir,
      SPINE_CDS_VALUESETS_DIR: valueSetsDir,
      SPINE_CDS_RULES_POLL_SECONDS: String(pollSeconds),
    },
    undefined,
    { watch: true },
  );
}

function copyProject(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-reload-cases-'));
  fs.cpSync(path.join(PROJECT_ROOT, 'rules'), path.join(root, 'rules'), { recursive: true });
  fs.cpSync(path.join(PROJECT_ROOT, 'fhir-profiles'), path.join(root, 'fhir-profiles'), { recursive: true });
  return root;
}

let root: string;
afterEach(async () => {
  await service.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('with file events only (no content check)', () => {
  beforeEach(async () => {
    root = copyProject();
    await start(root, 0);
  });

  test('an in-place write, twice', async () => {
    fs.writeFileSync(parametersFile(), setParameter(parametersFile(), 'obesityBmi', 31));
    await expectLive('rules/parameters.json');
    fs.writeFileSync(parametersFile(), setParameter(parametersFile(), 'obesityBmi', 32));
    await expectLive('rules/parameters.json');
  });

  test('a sed -i style replace (new file renamed over the old), then an in-place edit', async () => {
    const replace = (value: number) => {
      const temporary = path.join(rulesDir, `.sed${value}`);
      fs.writeFileSync(temporary, setParameter(parametersFile(), 'obesityBmi', value));
      fs.renameSync(temporary, parametersFile());
    };
    replace(33);
    await expectLive('rules/parameters.json');
    fs.writeFileSync(parametersFile(), setParameter(parametersFile(), 'obesityBmi', 34));
    await expectLive('rules/parameters.json');
    replace(35);
    await expectLive('rules/parameters.json');
  });

  test('an editor safe write: the old file renamed away, the new one renamed into place', async () => {
    const next = setParameter(parametersFile(), 'severeObesityBmi', 41);
    fs.renameSync(parametersFile(), `${parametersFile()}~`);
    fs.writeFileSync(`${parametersFile()}.tmp`, next);
    fs.renameSync(`${parametersFile()}.tmp`, parametersFile());
    fs.rmSync(`${parametersFile()}~`);
    await expectLive('rules/parameters.json');
    fs.writeFileSync(parametersFile(), setParameter(parametersFile(), 'severeObesityBmi', 42));
    await expectLive('rules/parameters.json');
  });

  test('a new pack file goes live, and so do its edits, its deletion and its re-creation', async () => {
    const extra = path.join(rulesDir, 'packs', 'extra.json');
    fs.writeFileSync(
      extra,
      JSON.stringify({
        pack: 'extra',
        title: 'Extra',
        rules: [
          {
            name: 'extra-advice',
            description: 'A local advice card.',
            when: { fact: 'backPain', operator: 'equal', value: true },
            card: {
              kind: 'advice',
              indicator: 'info',
              summary: 'Local advice',
              detail: 'Local advice.',
              evidence: { statement: 'Local policy.', strength: 'Local policy' },
              source: { label: 'Local', url: 'https://example.org/local' },
            },
          },
        ],
      }),
    );
    await expectLive('rules/packs/extra.json');
    expect(service.ruleSets.current().rules.map((rule) => rule.spec.name)).toContain('extra-advice');
    const written = fs.readFileSync(extra, 'utf8');
    fs.writeFileSync(extra, written.replace('Local advice card', 'Local advice card, edited'));
    await expectLive('rules/packs/extra.json');
    fs.rmSync(extra);
    await expectLive('rules/packs/extra.json');
    expect(service.ruleSets.current().rules.map((rule) => rule.spec.name)).not.toContain('extra-advice');
    // Deleted and re-created (as some sync tools do), then edited in place.
    fs.writeFileSync(extra, written);
    await expectLive('rules/packs/extra.json');
    fs.writeFileSync(extra, written.replace('Local advice card', 'Local advice card, edited again'));
    await expectLive('rules/packs/extra.json');
  });

  test('a ValueSet edited after its folder was replaced wholesale', async () => {
    const fresh = path.join(root, 'fhir-profiles', 'valuesets.new');
    fs.cpSync(valueSetsDir, fresh, { recursive: true });
    const obesity = path.join(fresh, 'obesity.json');
    const valueSet = JSON.parse(fs.readFileSync(obesity, 'utf8'));
    valueSet.description = `${valueSet.description} (edited)`;
    fs.writeFileSync(obesity, JSON.stringify(valueSet, null, 2));
    fs.rmSync(valueSetsDir, { recursive: true });
    fs.renameSync(fresh, valueSetsDir);
    await expectLive('valuesets/obesity.json');
    valueSet.description = `${valueSet.description} (again)`;
    fs.writeFileSync(path.join(valueSetsDir, 'obesity.json'), JSON.stringify(valueSet, null, 2));
    await expectLive('valuesets/obesity.json');
  });

  test('git checkout of another branch, and back', async () => {
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { cwd: rulesDir });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-qm', 'rules');
    git('checkout', '-qb', 'tuning');
    fs.writeFileSync(parametersFile(), setParameter(parametersFile(), 'physiotherapyMinPain', 6));
    git('commit', '-qam', 'lower the physiotherapy threshold');
    await expectLive('rules/parameters.json');
    git('checkout', '-q', 'main');
    await expectLive('rules/parameters.json');
    git('checkout', '-q', 'tuning');
    await expectLive('rules/parameters.json');
    // An edit after the checkout (the reported case: a merge, then an edit that never went live).
    fs.writeFileSync(parametersFile(), setParameter(parametersFile(), 'physiotherapyMinPain', 5));
    await expectLive('rules/parameters.json');
  });
});

test('Kubernetes ConfigMap updates (the ..data symlink swapped) go live, one after another', async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-reload-configmap-'));
  fs.cpSync(path.join(PROJECT_ROOT, 'fhir-profiles'), path.join(root, 'fhir-profiles'), { recursive: true });
  // The kubelet's layout: a timestamped folder holds the files, ..data points at it, and each entry is a symlink
  // through ..data.
  const mount = path.join(root, 'rules');
  const publish = (generation: string, change?: (dir: string) => void) => {
    const dir = path.join(mount, generation);
    fs.cpSync(path.join(PROJECT_ROOT, 'rules'), dir, { recursive: true });
    change?.(dir);
    fs.symlinkSync(generation, path.join(mount, '..data_tmp'));
    fs.renameSync(path.join(mount, '..data_tmp'), path.join(mount, '..data'));
  };
  fs.mkdirSync(mount);
  publish('..2026_11_28_01');
  for (const entry of ['packs', 'parameters.json', 'override-reasons.json', 'shared.json', 'schema'])
    fs.symlinkSync(path.join('..data', entry), path.join(mount, entry));
  await start(root, 1);

  // Two updates in a row, each a new generation folder with the old one removed, as the kubelet does.
  for (const [generation, previous, obesityBmi] of [
    ['..2026_11_28_02', '..2026_11_28_01', 29],
    ['..2026_11_28_03', '..2026_11_28_02', 28],
  ] as const) {
    publish(generation, (dir) =>
      fs.writeFileSync(
        path.join(dir, 'parameters.json'),
        setParameter(path.join(dir, 'parameters.json'), 'obesityBmi', obesityBmi),
      ),
    );
    fs.rmSync(path.join(mount, previous), { recursive: true });
    await expectLive('rules/parameters.json');
    expect(service.ruleSets.current().parameters.obesityBmi).toBe(obesityBmi);
  }
});

test(`the content check alone (no file event at all) reloads \
a change, and clears a rejection once the files are fixed`, async () => {
  root = copyProject();
  rulesDir = path.join(root, 'rules');
  valueSetsDir = path.join(root, 'fhir-profiles', 'valuesets');
  const holder = new RuleSetHolder(loadRuleSet(rulesDir, valueSetsDir), { rulesDir, valueSetsDir });
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  // No folder is watched: only the periodic content check can notice anything.
  const stop = watchRuleSet(holder, [], logger, { debounceMs: 10, pollMs: 100 });
  service = { close: async () => stop() } as RunningService;
  const until = async (done: () => boolean) => {
    const deadline = Date.now() + RELOAD_BOUND_MS;
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  };

  fs.writeFileSync(parametersFile(), setParameter(parametersFile(), 'obesityBmi', 31));
  await until(() => holder.current().parameters.obesityBmi === 31);
  expect(holder.current().parameters.obesityBmi).toBe(31);
  expect(lines.at(-1)).toMatchObject({ event: 'rules-reloaded', changedFiles: ['rules/parameters.json'] });

  fs.writeFileSync(parametersFile(), '{ "parameters": ');
  await until(() => holder.lastRejected() !== undefined);
  expect(holder.lastRejected()?.changedFiles).toEqual(['rules/parameters.json']);

  // Back to the content being served: the rejection no longer stands.
  fs.writeFileSync(
    parametersFile(),
    setParameter(path.join(PROJECT_ROOT, 'rules', 'parameters.json'), 'obesityBmi', 31),
  );
  await until(() => holder.lastRejected() === undefined);
  expect(holder.lastRejected()).toBeUndefined();
  expect(holder.current().parameters.obesityBmi).toBe(31);
});
