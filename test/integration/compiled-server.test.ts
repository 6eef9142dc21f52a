import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../support/spine-service';

/**
 * The compiled service as `npm start` and the Dockerfile run it (`node dist/src/server.js`; `npm test` builds
 * first): it starts on its embedded defaults, answers the README's example, refuses bad settings, and stops
 * cleanly on SIGTERM.
 */
const SERVER = path.join(PROJECT_ROOT, 'dist', 'src', 'server.js');

interface Started {
  child: ChildProcessWithoutNullStreams;
  port: number;
  output: () => string;
}

function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const listening = output.split('\n').find((line) => line.includes('spine-cds listening'));
      if (listening) resolve({ child, port: JSON.parse(listening).port, output: () => output });
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return exitOf(child).then((code) => ({ code, stderr }));
}

test('starts on the embedded defaults, answers the README example with cards, and stops on SIGTERM', async () => {
  const server = await start({});
  const base = `http://127.0.0.1:${server.port}`;
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  const body = fs.readFileSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'requests', 'patient-view.json'), 'utf8');
  const response = await fetch(`${base}/cds-services/spine-patient-view`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  expect(response.status).toBe(200);
  const { cards } = (await response.json()) as { cards: Array<{ summary: string }> };
  expect(cards.length).toBeGreaterThan(0);
  const exited = exitOf(server.child);
  server.child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(server.output()).toContain('shutting down');
});

test('a bad setting stops start-up with a message naming the variable', async () => {
  const { code, stderr } = await run({ PORT: 'eighty', SPINE_CDS_FHIR_DEADLINE_MS: '-5' });
  expect(code).toBe(1);
  expect(stderr).toMatch(/PORT: expected a whole number/);
  expect(stderr).toMatch(/SPINE_CDS_FHIR_DEADLINE_MS/);
});

test('an invalid rule set stops start-up with the problems listed', async () => {
  const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-rules-'));
  fs.cpSync(path.join(PROJECT_ROOT, 'rules'), rulesDir, { recursive: true });
  fs.writeFileSync(path.join(rulesDir, 'packs', 'broken.json'), '{ "pack": "broken", ');
  const { code, stderr } = await run({ SPINE_CDS_RULES_DIR: rulesDir });
  expect(code).toBe(1);
  expect(stderr).toMatch(/broken\.json: is not valid JSON/);
});

test('the compiled service needs only production dependencies (what `npm ci --omit=dev` installs in the image)', () => {
  const { dependencies } = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const files = fs
    .readdirSync(path.join(PROJECT_ROOT, 'dist', 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'));
  const packages = new Set<string>();
  for (const file of files) {
    const code = fs.readFileSync(path.join(PROJECT_ROOT, 'dist', 'src', file), 'utf8');
    for (const [, name] of code.matchAll(/require\("([^".][^"]*)"\)/g)) {
      if (!name.startsWith('node:'))
        packages.add(name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]);
    }
  }
  expect(packages.size).toBeGreaterThan(3);
  expect([...packages].filter((name) => !(name in dependencies))).toEqual([]);
});
