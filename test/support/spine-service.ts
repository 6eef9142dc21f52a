import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Server } from 'node:http';
import { createApp } from '../../src/app';
import { CardLedger } from '../../src/ledger/card-ledger';
import { openLedgerStore } from '../../src/ledger/open-store';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { loadRuleSet, type RuleSet } from '../../src/rules/load-rule-set';
import { RuleSetHolder } from '../../src/rules/rule-set-holder';
import { DEFAULT_PROFILE } from '../../src/rules/profiles';
import { watchRuleSet } from '../../src/rules/watch-rule-set';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const TEST_NOW = new Date('2026-11-21T12:00:00Z');

const bundledRuleSets = new Map<string, RuleSet>();

/** The bundled rule set of a profile (the default one unless named), loaded once per test process. */
export function bundledRuleSet(profile = DEFAULT_PROFILE): RuleSet {
  let ruleSet = bundledRuleSets.get(profile);
  if (!ruleSet) {
    ruleSet = loadRuleSet(
      path.join(PROJECT_ROOT, 'rules'),
      path.join(PROJECT_ROOT, 'fhir-profiles', 'valuesets'),
      profile,
    );
    bundledRuleSets.set(profile, ruleSet);
  }
  return ruleSet;
}

export interface RunningService {
  baseUrl: string;
  /** Every log line written, parsed. */
  logs: Array<Record<string, unknown>>;
  /** The raw log output, for asserting that secrets never appear in it. */
  rawLogs(): string;
  ruleSets: RuleSetHolder;
  /** With `options.ledger`: the card ledger (store from SPINE_CDS_DATA_DIR or SPINE_CDS_DATABASE_URL). */
  ledger?: CardLedger;
  close(): Promise<void>;
}

/** Starts the real app on a loopback port with captured logs and a fixed clock. */
export async function startService(
  env: Record<string, string> = {},
  now: Date = TEST_NOW,
  options: { watch?: boolean; ledger?: boolean } = {},
): Promise<RunningService> {
  const config: Config = loadConfig({ LOG_LEVEL: 'info', ...env });
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  // Custom rule folders are loaded (and optionally watched) as server.ts does; the bundled set is shared.
  const custom = Boolean(env.SPINE_CDS_RULES_DIR || env.SPINE_CDS_VALUESETS_DIR);
  const ruleSets = custom ? RuleSetHolder.load(config) : new RuleSetHolder(bundledRuleSet(config.rulesProfile));
  const stopWatching = options.watch
    ? watchRuleSet(ruleSets, [config.rulesDir, path.dirname(config.valueSetsDir)], logger, {
        debounceMs: 100,
        pollMs: config.rulesPollSeconds * 1000,
      })
    : () => undefined;
  const ledger =
    options.ledger && config.ledger.enabled
      ? new CardLedger(await openLedgerStore(config.ledger, logger), config.ledger, logger)
      : undefined;
  const app = createApp({ config, logger, ruleSets, now: () => now, ...(ledger ? { ledger } : {}) });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    get logs() {
      return chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    rawLogs: () => chunks.join(''),
    ruleSets,
    ...(ledger ? { ledger } : {}),
    close: async () => {
      stopWatching();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ledger?.close();
    },
  };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}
