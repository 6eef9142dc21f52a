import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { CardLedger } from './ledger/card-ledger';
import { openLedgerStore } from './ledger/open-store';
import { PostgresSecurityState } from './shared-state/postgres-security-state';
import { createLogger, type Logger } from './logger';
import { startMetricsServer } from './metrics';
import { RuleSetError } from './rules/load-rule-set';
import { RuleSetHolder } from './rules/rule-set-holder';
import { reloadAndLog, watchRuleSet } from './rules/watch-rule-set';

/**
 * Process entry: configuration, rules and the ledger store are checked before the port opens; a bad value stops
 * start-up.
 */
export async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let ruleSets: RuleSetHolder;
  try {
    ruleSets = RuleSetHolder.load(config);
  } catch (error) {
    if (error instanceof RuleSetError) {
      logger.fatal({ problems: error.problems }, 'rule set is invalid; not starting');
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { ledger, sharedState } = await openStores(config, logger);
  const app = createApp({
    config,
    logger,
    ruleSets,
    ...(ledger ? { ledger } : {}),
    ...(sharedState ? { sharedState } : {}),
  });
  const server = app.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    logger.info(
      {
        port,
        host: config.host,
        mode: config.mode,
        publicBaseUrl: config.publicBaseUrl,
        ruleSetVersion: ruleSets.current().version,
      },
      'spine-cds listening',
    );
  });
  if (config.metricsPort > 0) startMetricsServer(config.metricsPort, config.host, logger);
  const stopWatching = watchRuleSet(ruleSets, [config.rulesDir, path.dirname(config.valueSetsDir)], logger, {
    debounceMs: 300,
    pollMs: config.rulesPollSeconds * 1000,
  });
  process.on('SIGHUP', () => reloadAndLog(ruleSets, logger, 'SIGHUP'));
  shutDownGracefully(server, config, logger, stopWatching, ledger);
}

/** The ledger and the shared security state, migrated; a store that cannot be opened at start-up stops the service. */
async function openStores(
  config: Config,
  logger: Logger,
): Promise<{ ledger?: CardLedger; sharedState?: PostgresSecurityState }> {
  try {
    const store = config.ledger.enabled ? await openLedgerStore(config.ledger, logger) : undefined;
    if (store) logger.info({ event: 'ledger-open', store: store.kind }, 'card ledger open');
    const sharedState =
      config.sharedState === 'postgres' && config.ledger.databaseUrl
        ? await PostgresSecurityState.open(config.ledger.databaseUrl, logger)
        : undefined;
    logger.info({ event: 'security-state', where: config.sharedState }, 'replay cache and rate limits');
    return {
      ...(store ? { ledger: new CardLedger(store, config.ledger, logger) } : {}),
      ...(sharedState ? { sharedState } : {}),
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.fatal({ event: 'store-open-failed', reason }, 'a store cannot be opened; not starting');
    process.stderr.write(`A store cannot be opened: ${reason}\n`);
    process.exit(1);
  }
}

function shutDownGracefully(
  server: Server,
  config: Config,
  logger: Logger,
  stopWatching: () => void,
  ledger: CardLedger | undefined,
): void {
  const stop = (signal: string) => {
    stopWatching();
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    // Cards still queued are written before the process ends.
    server.close(() => void (ledger?.close() ?? Promise.resolve()).finally(() => process.exit(0)));
    server.closeIdleConnections();
    setTimeout(() => {
      logger.warn('grace period over; closing remaining connections');
      server.closeAllConnections();
      process.exit(0);
    }, config.shutdownGraceMs).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

// Run when started as `node dist/src/server.js`; src/cluster.ts calls main() in each of its workers instead.
if (require.main === module) void main();
