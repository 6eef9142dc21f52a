import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Almanac, Engine, type RuleProperties } from 'json-rules-engine';
import { handleHookCall } from '../../src/cds/hook-service';
import { offlineFetchSettings } from '../../src/cds/prefetch';
import type { CdsResponse } from '../../src/cds/types';
import { buildHookRequest } from '../../src/cli/scenarios/hook-request';
import { loadScenarios } from '../../src/cli/scenarios/load';
import type { LoadedScenario } from '../../src/cli/scenarios/types';
import { bundledRuleSet, PROJECT_ROOT } from '../support/spine-service';

/**
 * json-rules-engine trap 1: an Engine keeps its run status on itself, so overlapping runs of a shared Engine with
 * several priority levels silently skip rules. The service builds a fresh Engine per request. These tests run many
 * overlapping hook calls, with fact look-ups made slow and asynchronous, and require exactly the cards the same
 * requests give one at a time; a control shows that a shared Engine really does lose rules when runs overlap.
 */

const ruleSet = bundledRuleSet();
const { scenarios, problems } = loadScenarios(path.join(PROJECT_ROOT, 'rules'), undefined, ruleSet);
const NO_FETCH = offlineFetchSettings('tests read only the request');
const WEEK_MS = 7 * 86_400_000;

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Call {
  label: string;
  scenario: LoadedScenario;
  now: Date;
  body: Record<string, unknown>;
}

/**
 * Calls over every scenario patient (300 in the overlap test: more than one pass over the scenarios, whose mix now
 * includes prescribing cases that rightly give no card), at the scenario's own time and at later times (the same
 * record then gives other facts: durations change class, readings age out), each with its own request body.
 */
function calls(count: number): Call[] {
  const shifts = [0, 3, 9, 30];
  return Array.from({ length: count }, (_unused, i) => {
    const scenario = scenarios[i % scenarios.length];
    const shiftWeeks = shifts[Math.floor(i / scenarios.length) % shifts.length];
    const now = new Date(Date.parse(scenario.now) + shiftWeeks * WEEK_MS);
    return {
      label: `${scenario.name} +${shiftWeeks}w`,
      scenario,
      now,
      body: buildHookRequest(scenario, ruleSet),
    };
  });
}

/** What must not differ between a lone and an overlapping call: which cards, in which order, saying what. */
const cardsOf = (response: CdsResponse) =>
  response.cards.map((card) => ({
    rule: card.source.topic?.code,
    indicator: card.indicator,
    summary: card.summary,
    detail: card.detail,
  }));

const run = (call: Call) =>
  handleHookCall(call.scenario.hook, call.body, { ruleSet, fetchSettings: NO_FETCH, now: () => call.now });

/**
 * Makes every fact look-up of json-rules-engine slow and asynchronous, each run at its own pace (0-8 ms per look-up,
 * plus jitter), so that runs overtake each other; counts how many runs overlap.
 */
function slowFactsAndCountRuns(seed: number) {
  const next = random(seed);
  const originalFactValue = Almanac.prototype.factValue;
  const originalRun = Engine.prototype.run;
  const stats = { running: 0, maxRunning: 0, runs: 0 };
  const pace = new WeakMap<Almanac, number>();
  const factValue = jest.spyOn(Almanac.prototype, 'factValue').mockImplementation(async function (
    this: Almanac,
    ...args: Parameters<Almanac['factValue']>
  ) {
    if (!pace.has(this)) pace.set(this, Math.floor(next() * 9));
    await sleep((pace.get(this) as number) + Math.floor(next() * 2));
    return originalFactValue.apply(this, args);
  });
  const engineRun = jest.spyOn(Engine.prototype, 'run').mockImplementation(async function (
    this: Engine,
    ...args: Parameters<Engine['run']>
  ) {
    stats.runs++;
    stats.running++;
    stats.maxRunning = Math.max(stats.maxRunning, stats.running);
    try {
      return await originalRun.apply(this, args);
    } finally {
      stats.running--;
    }
  });
  return {
    stats,
    restore() {
      factValue.mockRestore();
      engineRun.mockRestore();
    },
  };
}

afterEach(() => jest.restoreAllMocks());

test('the scenario files load', () => {
  expect(problems).toEqual([]);
  expect(scenarios.length).toBeGreaterThan(50);
});

test(`300 overlapping hook calls with slow asynchronous facts \
give exactly the cards of the same calls run one at a time`, async () => {
  const all = calls(300);
  const alone: Array<ReturnType<typeof cardsOf>> = [];
  for (const call of all) alone.push(cardsOf((await run(call)).response));
  // The baseline itself must be rich: most calls give cards, and many give several.
  expect(alone.filter((cards) => cards.length > 0).length).toBeGreaterThan(150);
  expect(alone.reduce((sum, cards) => sum + cards.length, 0)).toBeGreaterThan(400);

  const slow = slowFactsAndCountRuns(1121);
  try {
    const together = await Promise.all(all.map(async (call) => cardsOf((await run(call)).response)));
    // The runs really overlapped: far more than one engine run was in flight at once.
    expect(slow.stats.maxRunning).toBeGreaterThan(100);
    const differences = all.flatMap((call, i) => {
      const lost = alone[i]
        .filter((card) => !together[i].some((other) => other.rule === card.rule))
        .map((card) => card.rule);
      const gained = together[i]
        .filter((card) => !alone[i].some((other) => other.rule === card.rule))
        .map((card) => card.rule);
      return lost.length > 0 || gained.length > 0
        ? [`${call.label}: lost ${lost.join(', ') || '-'}; gained ${gained.join(', ') || '-'}`]
        : [];
    });
    expect(differences).toEqual([]);
    expect(together).toEqual(alone);
  } finally {
    slow.restore();
  }
}, 30_000);

test(`the same calls interleaved with out-of-order \
completion (shuffled start, random delays) still match`, async () => {
  const all = calls(200);
  const alone = new Map<number, ReturnType<typeof cardsOf>>();
  for (const [i, call] of all.entries()) alone.set(i, cardsOf((await run(call)).response));
  const next = random(42);
  const order = all.map((_call, i) => i).sort(() => next() - 0.5);
  const slow = slowFactsAndCountRuns(7);
  try {
    const results = await Promise.all(
      order.map(async (i) => {
        await sleep(Math.floor(next() * 5));
        return [i, cardsOf((await run(all[i])).response)] as const;
      }),
    );
    for (const [i, cards] of results)
      expect({ call: all[i].label, cards }).toEqual({ call: all[i].label, cards: alone.get(i) });
  } finally {
    slow.restore();
  }
}, 30_000);

/**
 * Control: trap 1 is real and this is how it shows. One Engine shared by two overlapping runs, with the rules split
 * over two priority levels (as a rule author might do to put red flags first): the run that finishes first marks the
 * Engine finished, and the slower run silently skips its second priority group. A fresh Engine per run keeps them.
 */
test(`control: a shared Engine with two priority levels \
loses the slower run's rules; fresh Engines do not`, async () => {
  const rules: RuleProperties[] = Array.from({ length: 20 }, (_unused, i) => ({
    name: `rule-${i}`,
    priority: i < 10 ? 2 : 1,
    conditions: { all: [{ fact: 'slow', operator: 'greaterThanInclusive', value: 0 }] },
    event: { type: 'card' },
  }));
  const withSlowFact = (engine: Engine) =>
    engine.addFact('slow', async (_params, almanac) => {
      await sleep((await almanac.factValue('delayMs')) as number);
      return 1;
    });
  const counted = async (engine: Engine, delayMs: number) => {
    const { results, failureResults } = await engine.run({ delayMs });
    return results.length + failureResults.length;
  };

  const shared = withSlowFact(new Engine(rules));
  // The slow run starts first; the fast one overtakes it and finishes while the slow one is in its first group.
  const [slowShared, fastShared] = await Promise.all([counted(shared, 50), counted(shared, 0)]);
  expect(fastShared).toBe(rules.length);
  expect(slowShared).toBeLessThan(rules.length);

  const [slowFresh, fastFresh] = await Promise.all([
    counted(withSlowFact(new Engine(rules)), 50),
    counted(withSlowFact(new Engine(rules)), 0),
  ]);
  expect([slowFresh, fastFresh]).toEqual([rules.length, rules.length]);
});
