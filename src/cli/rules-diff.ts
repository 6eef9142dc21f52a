import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Card } from '../cds/types';
import { loadRuleSet, type RuleSet } from '../rules/load-rule-set';
import { loadScenarios } from './scenarios/load';
import { ruleNamesOf, scenarioCards } from './scenarios/run';
import type { LoadedScenario } from './scenarios/types';

/**
 * `rules diff`: the effect of a rule change on the bundled scenarios' patients, before it ships. Each side is a
 * folder or a git revision; every scenario runs under both rule sets and each card that appears, disappears, or
 * changes indicator or summary is listed.
 */

/** A side of the comparison that names no folder and no git revision. */
export class RuleSetLocationError extends Error {}

/** Where one side's rules and ValueSets are, and what to call it. */
export interface RuleSetLocation {
  label: string;
  rulesDir: string;
  valueSetsDir: string;
}

/**
 * A folder holding `rules/` (and `fhir-profiles/`, else the current ValueSets are used), a rules folder itself (with
 * `packs/`), or a git revision of the repository the command runs in (extracted to a temporary folder).
 */
export function locateRuleSet(spec: string, current: RuleSetLocation, temporaryDirs: string[]): RuleSetLocation {
  const folder = path.resolve(spec);
  if (fs.existsSync(folder) && fs.statSync(folder).isDirectory()) {
    if (fs.existsSync(path.join(folder, 'packs'))) return { ...current, label: spec, rulesDir: folder };
    const valueSetsDir = path.join(folder, 'fhir-profiles', 'valuesets');
    return {
      label: spec,
      rulesDir: path.join(folder, 'rules'),
      valueSetsDir: fs.existsSync(valueSetsDir) ? valueSetsDir : current.valueSetsDir,
    };
  }
  const checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-rules-diff-'));
  temporaryDirs.push(checkout);
  const archive = spawnSync('git', ['archive', '--format=tar', spec, '--', 'rules', 'fhir-profiles'], {
    maxBuffer: 256 * 1024 * 1024,
  });
  if (archive.status !== 0)
    throw new RuleSetLocationError(
      `"${spec}" is neither a folder nor a git revision here: ${archive.stderr.toString().trim()}`,
    );
  const untar = spawnSync('tar', ['-x', '-C', checkout], { input: archive.stdout });
  if (untar.status !== 0)
    throw new RuleSetLocationError(`could not extract ${spec}: ${untar.stderr.toString().trim()}`);
  return {
    label: spec,
    rulesDir: path.join(checkout, 'rules'),
    valueSetsDir: path.join(checkout, 'fhir-profiles', 'valuesets'),
  };
}

export interface CardChange {
  rule: string;
  change: 'appears' | 'disappears' | 'changes';
  before?: Pick<Card, 'indicator' | 'summary'>;
  after?: Pick<Card, 'indicator' | 'summary'>;
}

export interface ScenarioDiff {
  scenario: LoadedScenario;
  changes: CardChange[];
}

/**
 * Each card under every rule behind it (its `spine-cds.rules` extension), so a rule whose advice moves into a card
 * group, or out of one, reads as its card changing rather than one card disappearing and another appearing.
 */
const byRule = (cards: Card[]) =>
  new Map(cards.flatMap((card) => ruleNamesOf({ cards: [card] }).map((rule) => [rule, card] as const)));

/** How the cards of one call differ: matched by rule, then indicator and summary compared. */
export function compareResponses(before: Card[], after: Card[]): CardChange[] {
  const old = byRule(before);
  const next = byRule(after);
  const changes: CardChange[] = [];
  for (const [rule, card] of old) {
    const now = next.get(rule);
    if (!now) changes.push({ rule, change: 'disappears', before: card });
    else if (now.indicator !== card.indicator || now.summary !== card.summary)
      changes.push({ rule, change: 'changes', before: card, after: now });
  }
  for (const [rule, card] of next) if (!old.has(rule)) changes.push({ rule, change: 'appears', after: card });
  return changes;
}

/** Runs the scenarios of both sides (by name, the newer side's copy first) under both rule sets. */
export async function diffRuleSets(
  base: { location: RuleSetLocation; ruleSet: RuleSet },
  head: { location: RuleSetLocation; ruleSet: RuleSet },
): Promise<ScenarioDiff[]> {
  const scenarios = new Map<string, LoadedScenario>();
  for (const side of [head, base]) {
    for (const scenario of loadScenarios(side.location.rulesDir).scenarios)
      if (!scenarios.has(scenario.name)) scenarios.set(scenario.name, scenario);
  }
  const diffs: ScenarioDiff[] = [];
  for (const scenario of scenarios.values()) {
    const changes = compareResponses(
      await scenarioCards(scenario, base.ruleSet),
      await scenarioCards(scenario, head.ruleSet),
    );
    diffs.push({ scenario, changes });
  }
  return diffs;
}

const describeCard = (card: Pick<Card, 'indicator' | 'summary'>) => `${card.indicator}: "${card.summary}"`;

export function formatDiff(
  base: RuleSetLocation & { version: string },
  head: RuleSetLocation & { version: string },
  diffs: ScenarioDiff[],
): string {
  const changed = diffs.filter((diff) => diff.changes.length > 0);
  const lines = [
    `Cards under ${base.label} (${base.version}) → ${head.label} (${head.version}), ${diffs.length} scenario(s):`,
  ];
  for (const { scenario, changes } of changed) {
    lines.push('', `${scenario.file} › ${scenario.name} [${scenario.hook}]`);
    for (const change of changes) {
      if (change.change === 'appears' && change.after) lines.push(`  + ${change.rule}  ${describeCard(change.after)}`);
      if (change.change === 'disappears' && change.before)
        lines.push(`  - ${change.rule}  ${describeCard(change.before)}`);
      if (change.change === 'changes' && change.before && change.after)
        lines.push(`  ~ ${change.rule}  ${describeCard(change.before)} → ${describeCard(change.after)}`);
    }
  }
  lines.push('', `${changed.length} scenario(s) with changed cards, ${diffs.length - changed.length} unchanged.`);
  return lines.join('\n');
}

/** The command: returns the report; temporary checkouts are removed whatever happens. */
export async function rulesDiff(specs: string[], current: RuleSetLocation): Promise<string> {
  const temporaryDirs: string[] = [];
  try {
    const [baseSpec, headSpec] = specs;
    const baseLocation = locateRuleSet(baseSpec, current, temporaryDirs);
    const headLocation = headSpec ? locateRuleSet(headSpec, current, temporaryDirs) : current;
    const base = { location: baseLocation, ruleSet: loadRuleSet(baseLocation.rulesDir, baseLocation.valueSetsDir) };
    const head = { location: headLocation, ruleSet: loadRuleSet(headLocation.rulesDir, headLocation.valueSetsDir) };
    const diffs = await diffRuleSets(base, head);
    return formatDiff(
      { ...baseLocation, version: base.ruleSet.version },
      { ...headLocation, version: head.ruleSet.version },
      diffs,
    );
  } finally {
    for (const dir of temporaryDirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}
