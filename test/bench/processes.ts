import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../support/free-port';

/**
 * Child processes of the benchmark: the service (the compiled production entry, or the cluster entry), the bare
 * Express baseline and the embedded FHIR server. Each runs in its own process so that the load generator in this
 * process does not share an event loop with what it measures. Every child is started here and ended here, by its
 * own handle; a child left over when the benchmark exits is killed on the way out.
 */

const DIST = path.resolve(__dirname, '..', '..');
export const SERVER_ENTRY = path.join(DIST, 'src', 'server.js');
export const CLUSTER_ENTRY = path.join(DIST, 'src', 'cluster.js');
const MEMORY_PROBE = path.join(__dirname, 'memory-probe.js');
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

export interface ChildServer {
  url: string;
  child: ChildProcess;
  /** Resident and heap memory of the child right after a forced full GC (needs the memory probe). */
  memory(): Promise<MemorySample>;
  stop(): Promise<void>;
}

export interface StartOptions {
  entry: string;
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  /** Where the child's stdout and stderr (the service's JSON log) go. */
  logFile: string;
}

/** Starts an HTTP server entry on a loopback port and waits until `readyPath` answers 200. */
export async function startHttpChild(options: StartOptions, readyPath = '/healthz'): Promise<ChildServer> {
  const port = await freePort();
  const log = fs.openSync(options.logFile, 'a');
  const child = fork(options.entry, [], {
    execArgv: ['--expose-gc', '--require', MEMORY_PROBE, ...(options.nodeFlags ?? [])],
    env: { ...inheritedEnv(), ...options.env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', log, log, 'ipc'],
  });
  fs.closeSync(log);
  running.add(child);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(child, `${url}${readyPath}`, options.logFile);
  return { url, child, memory: () => askMemory(child), stop: () => stopChild(child) };
}

/** The caller's environment without the service's own settings, so that only what the benchmark sets applies. */
function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(SPINE_CDS_|LOG_LEVEL$|PORT$|HOST$|NODE_ENV$)/.test(name)),
  );
}

async function waitUntilReady(child: ChildProcess, url: string, logFile: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stopChild(child);
  throw new Error(`${url} did not become ready; see ${logFile}`);
}

/** Stops with SIGTERM (the service shuts down gracefully and writes a --cpu-prof profile), SIGKILL if it hangs. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
  running.delete(child);
}

function askMemory(child: ChildProcess): Promise<MemorySample> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string; memory?: MemorySample }) => {
      if (message?.type !== 'memory') return;
      child.off('message', onMessage);
      resolve(message.memory as MemorySample);
    };
    child.on('message', onMessage);
    child.send({ type: 'sample-memory' }, (error) => error && reject(error));
  });
}

/** A scratch folder for logs, response files and profiles of one run. */
export function scratchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'spine-bench-'));
}
