import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

/**
 * A throwaway PostgreSQL cluster of Debian's server binaries (installed by test/support/ensure-postgres.sh) in a
 * temporary folder on a free loopback port. As root it runs as the `postgres` user, since the server refuses root.
 * `stop()` and `start()` take it away and bring it back with its data, for the fault tests.
 */
export interface TestPostgres {
  url: string;
  stop(): void;
  start(): void;
  destroy(): void;
}

function binary(name: string): string {
  const versions = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const file = path.join('/usr/lib/postgresql', version, 'bin', name);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(`${name} not found: run test/support/ensure-postgres.sh`);
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-cds-pg-'));
  const data = path.join(dir, 'data');
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  const run = (command: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : command, asRoot ? ['-u', 'postgres', '--', command, ...args] : args, {
      stdio: 'pipe',
      cwd: dir,
    });
  run(binary('initdb'), ['-D', data, '-U', 'spine', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const pgCtl = binary('pg_ctl');
  const start = () => run(pgCtl, ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']);
  const stop = () => run(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop']);
  start();
  return {
    url: `postgres://spine@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy() {
      try {
        stop();
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
