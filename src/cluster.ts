import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import { ConfigError, loadConfig, type Config } from './config';
import { EnvReader } from './env-reader';
import { createLogger, type Logger } from './logger';
import { main as startServer } from './server';

/**
 * Multi-core entry: `node dist/src/cluster.js` runs SPINE_CDS_WORKERS copies of the service (default: one per
 * core) behind one port; the primary hands connections to the workers in turn. Each worker is the ordinary
 * service (src/server.ts) with its own rule set, caches and rate-limit buckets: see BENCHMARKS.md, "Scale-out".
 * The primary only supervises: it forwards SIGTERM/SIGINT (graceful stop) and SIGHUP (rule reload) to every
 * worker and replaces a worker that dies.
 */

/** A worker that dies this often within the window is a crash loop: stop and let the orchestrator see it. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

function startPrimary(): void {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  const supervisor = new Supervisor(config, logger);
  supervisor.start(workerCount());
  process.once('SIGTERM', () => supervisor.stop('SIGTERM', 0));
  process.once('SIGINT', () => supervisor.stop('SIGINT', 0));
  process.on('SIGHUP', () => supervisor.signalAll('SIGHUP'));
}

class Supervisor {
  private readonly live = new Set<Worker>();
  private readonly started = new WeakSet<Worker>();
  private restarts: number[] = [];
  private stopping = false;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
  ) {
    cluster.on('listening', (worker) => this.started.add(worker));
    cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal));
  }

  start(workers: number): void {
    this.logger.info({ event: 'cluster-start', workers }, 'starting service workers');
    for (let i = 0; i < workers; i++) this.fork();
  }

  signalAll(signal: NodeJS.Signals): void {
    for (const worker of this.live) worker.process.kill(signal);
  }

  /** Each worker finishes its requests in flight (server.ts); the primary exits when the last one has. */
  stop(signal: NodeJS.Signals, exitCode: number): void {
    if (this.stopping) return;
    this.stopping = true;
    process.exitCode = exitCode;
    this.signalAll(signal);
    if (this.live.size === 0) process.exit();
    setTimeout(() => process.exit(), this.config.shutdownGraceMs + 5_000).unref();
  }

  private fork(): void {
    this.live.add(cluster.fork());
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    this.live.delete(worker);
    if (this.stopping) {
      if (this.live.size === 0) process.exit();
      return;
    }
    const pid = worker.process.pid;
    // A worker that never listened failed at start-up (configuration, rules): restarting it cannot help.
    if (!this.started.has(worker)) {
      this.logger.fatal(
        { event: 'worker-start-failed', pid, code, signal },
        'a service worker failed to start; stopping',
      );
      this.stop('SIGTERM', 1);
      return;
    }
    const now = Date.now();
    this.restarts = [...this.restarts.filter((time) => now - time < RESTART_WINDOW_MS), now];
    if (this.restarts.length > MAX_RESTARTS) {
      this.logger.fatal(
        { event: 'worker-crash-loop', pid, code, signal },
        `service workers died ${this.restarts.length} times in a minute; stopping`,
      );
      this.stop('SIGTERM', 1);
      return;
    }
    this.logger.error({ event: 'worker-exit', pid, code, signal }, 'a service worker died; starting a replacement');
    this.fork();
  }
}

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/** SPINE_CDS_WORKERS, else one per core the process may use (set it to the CPU limit in a container). */
function workerCount(): number {
  const problems: string[] = [];
  const workers = new EnvReader(process.env, problems).integer('SPINE_CDS_WORKERS', os.availableParallelism(), 1, 256);
  if (problems.length > 0) {
    process.stderr.write(`Invalid configuration:\n- ${problems.join('\n- ')}\n`);
    process.exit(1);
  }
  return workers;
}

if (cluster.isPrimary) startPrimary();
else void startServer();
