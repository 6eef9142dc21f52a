import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from './spine-service';

/** The compiled `spine-cds` command line (`npm test` builds it first). */
export const COMPILED_CLI = path.join(PROJECT_ROOT, 'dist', 'src', 'cli', 'spine-cds.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the compiled CLI as a user runs it, to completion: only PATH from this environment (no variable of the test
 * run leaks in), plus `env`.
 */
export function runCompiledCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): CliResult {
  const result = spawnSync(process.execPath, [COMPILED_CLI, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
