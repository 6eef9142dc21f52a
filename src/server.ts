import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger, type Logger } from './logger';
import { loadRuleSet, RuleSetError } from './rules/load-rule-set';
import { RuleSetHolder } from './rules/rule-set-holder';
import { reloadAndLog, watchRuleSet } from './rules/watch-rule-set';

/** Process entry: configuration and rules are checked before the port opens; a bad value stops start-up. */
export function main(): void {
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
    ruleSets = new RuleSetHolder(loadRuleSet(config.rulesDir, config.valueSetsDir), config);
  } catch (error) {
    if (error instanceof RuleSetError) {
      logger.fatal({ problems: error.problems }, 'rule set is invalid; not starting');
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = createApp({ config, logger, ruleSets });
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
  const stopWatching = watchRuleSet(ruleSets, [config.rulesDir, path.dirname(config.valueSetsDir)], logger, {
    debounceMs: 300,
    pollMs: config.rulesPollSeconds * 1000,
  });
  process.on('SIGHUP', () => reloadAndLog(ruleSets, logger, 'SIGHUP'));
  shutDownGracefully(server, config, logger, stopWatching);
}

function shutDownGracefully(server: Server, config: Config, logger: Logger, stopWatching: () => void): void {
  const stop = (signal: string) => {
    stopWatching();
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    server.close(() => process.exit(0));
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
if (require.main === module) main();
