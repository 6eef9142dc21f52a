import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT } from '../support/spine-service';

/**
 * The multi-core entry (`node dist/src/cluster.js`, built by `npm test`): its workers share one port, it replaces
 * a worker that dies, stops with SIGTERM once every worker has finished, and gives up when workers cannot start.
 */
const CLUSTER = path.join(PROJECT_ROOT, 'dist', 'src', 'cluster.js');

function spawnCluster(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, [CLUSTER], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', SPINE_CDS_WORKERS: '2', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

const logLines = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);

async function waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
    const found = find();
    if (found !== undefined) return found;
  }
  throw new Error(`timed out waiting for ${what}`);
}

const exitOf = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

test('two workers answer on one port; a worker that dies is replaced; SIGTERM stops them all', async () => {
  const cluster = spawnCluster({});
  const exited = exitOf(cluster.child);
  const listening = await waitFor(() => {
    const lines = logLines(cluster.output()).filter((line) => line.msg === 'spine-cds listening');
    return lines.length === 2 ? lines : undefined;
  }, 'two workers listening');
  expect(listening[0].port).toBe(listening[1].port);
  const base = `http://127.0.0.1:${listening[0].port}`;
  for (let i = 0; i < 4; i++) expect((await fetch(`${base}/healthz`)).status).toBe(200);

  const [worker] = execFileSync('ps', ['-o', 'pid=', '--ppid', String(cluster.child.pid)], { encoding: 'utf8' })
    .trim()
    .split(/\s+/)
    .map(Number);
  process.kill(worker, 'SIGKILL');
  await waitFor(
    () => logLines(cluster.output()).find((line) => line.event === 'worker-exit' && line.pid === worker),
    'the dead worker to be reported',
  );
  await waitFor(
    () =>
      logLines(cluster.output()).filter((line) => line.msg === 'spine-cds listening').length === 3 ? true : undefined,
    'a replacement',
  );
  expect((await fetch(`${base}/readyz`)).status).toBe(200);

  cluster.child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(logLines(cluster.output()).filter((line) => line.signal === 'SIGTERM')).toHaveLength(2);
}, 40_000);

test('workers that cannot start (an invalid rule set) stop the cluster with exit code 1', async () => {
  const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-rules-'));
  fs.cpSync(path.join(PROJECT_ROOT, 'rules'), rulesDir, { recursive: true });
  fs.writeFileSync(path.join(rulesDir, 'packs', 'broken.json'), '{ "pack": "broken", ');
  const cluster = spawnCluster({ SPINE_CDS_RULES_DIR: rulesDir });
  const code = await exitOf(cluster.child);
  fs.rmSync(rulesDir, { recursive: true, force: true });
  expect(code).toBe(1);
  expect(cluster.output()).toMatch(/broken\.json: is not valid JSON/);
  expect(logLines(cluster.output()).some((line) => line.event === 'worker-start-failed')).toBe(true);
}, 40_000);

test('a bad SPINE_CDS_WORKERS stops start-up with a message naming it', async () => {
  const cluster = spawnCluster({ SPINE_CDS_WORKERS: 'many' });
  expect(await exitOf(cluster.child)).toBe(1);
  expect(cluster.output()).toMatch(/SPINE_CDS_WORKERS: expected a whole number/);
});
