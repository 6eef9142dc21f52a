import { gatherGroups } from '../../src/cds/cards/card-groups';
import type { ModalityContraindications } from '../../src/cds/cards/contraindication-statement';
import { selectCards } from '../../src/cds/cards/select-cards';
import type { RuleOutcome } from '../../src/rules/evaluate';
import type { CardGroupSpec, CardSpec } from '../../src/rules/rule-pack';

/**
 * Card selection and order, asserted directly (issue 18: the sort, the patient-view and order-hook filters and the
 * "hidden by something other than a contraindication" distinction were never pinned), and card groups (issue 12).
 */

let position = 0;
function outcome(name: string, card: Partial<CardSpec> & Pick<CardSpec, 'kind'>, fired = true): RuleOutcome {
  return {
    fired,
    conditions: { all: [] },
    rule: {
      pack: 'test',
      position: position++,
      spec: {
        name,
        description: name,
        when: { all: [] },
        card: {
          indicator: 'info',
          summary: name,
          detail: name,
          evidence: { statement: 's', strength: 'x' },
          source: { label: 'l', url: 'https://example.org' },
          ...card,
        },
      },
    },
  };
}

/** A traction step and the absolute contraindication that hides it. */
const tractionStepAndAbsolute = () => [
  outcome('traction-step', { kind: 'step', modality: 'traction' }),
  outcome('traction-absolute', {
    kind: 'contraindication',
    modality: 'traction',
    indicator: 'critical',
    suppresses: ['modality:traction'],
  }),
];

const names = (outcomes: RuleOutcome[]) => outcomes.map((o) => o.rule.spec.name);
const NONE = new Set<string>();

describe('selectCards', () => {
  test('orders by severity first, then red flag, contraindication, step, advice, then rule order', () => {
    const outcomes = [
      outcome('advice-info', { kind: 'advice' }),
      outcome('step-info-2', { kind: 'step' }),
      outcome('step-info-1', { kind: 'step' }),
      outcome('step-warning', { kind: 'step', indicator: 'warning' }),
      outcome('red-flag-warning', { kind: 'red-flag', indicator: 'warning' }),
      outcome('red-flag-info', { kind: 'red-flag' }),
      outcome('advice-critical', { kind: 'advice', indicator: 'critical' }),
    ];
    expect(names(selectCards(outcomes, 'patient-view', NONE))).toEqual([
      'advice-critical',
      'red-flag-warning',
      'step-warning',
      'red-flag-info',
      'step-info-2',
      'step-info-1',
      'advice-info',
    ]);
  });

  test('cards of the same severity and kind follow rule order, whatever order the outcomes come in', () => {
    const [first, second, third] = [
      outcome('first', { kind: 'step' }),
      outcome('second', { kind: 'step' }),
      outcome('third', { kind: 'step' }),
    ];
    expect(names(selectCards([third, first, second], 'patient-view', NONE))).toEqual(['first', 'second', 'third']);
  });

  test('only fired rules become cards', () => {
    const outcomes = [outcome('fired', { kind: 'step' }), outcome('not-fired', { kind: 'step' }, false)];
    expect(names(selectCards(outcomes, 'patient-view', NONE))).toEqual(['fired']);
  });

  test('suppresses hides by kind, by modality (steps only) and by rule name', () => {
    const outcomes = [
      outcome('emergency', {
        kind: 'red-flag',
        indicator: 'critical',
        suppresses: ['kind:advice', 'modality:traction', 'rule:other-red-flag'],
      }),
      outcome('other-red-flag', { kind: 'red-flag' }),
      outcome('some-advice', { kind: 'advice' }),
      outcome('traction-step', { kind: 'step', modality: 'traction' }),
      outcome('traction-advice', { kind: 'red-flag', modality: 'traction' }),
      outcome('physiotherapy-step', { kind: 'step', modality: 'physiotherapy' }),
    ];
    expect(names(selectCards(outcomes, 'patient-view', NONE))).toEqual([
      'emergency',
      'traction-advice',
      'physiotherapy-step',
    ]);
  });

  test('patient-view: a contraindication shows when its step was hidden only by a contraindication', () => {
    expect(names(selectCards(tractionStepAndAbsolute(), 'patient-view', NONE))).toEqual(['traction-absolute']);
  });

  test('patient-view: a contraindication to a treatment nobody is considering does not show', () => {
    const outcomes = [
      outcome('traction-absolute', { kind: 'contraindication', modality: 'traction', indicator: 'critical' }),
    ];
    expect(names(selectCards(outcomes, 'patient-view', NONE))).toEqual([]);
  });

  test('patient-view: a step hidden by a red flag takes its contraindication card with it', () => {
    const outcomes = [
      outcome('emergency', { kind: 'red-flag', indicator: 'critical', suppresses: ['kind:step'] }),
      ...tractionStepAndAbsolute(),
    ];
    expect(names(selectCards(outcomes, 'patient-view', NONE))).toEqual(['emergency']);
  });

  test.each<[string, Partial<CardSpec> & Pick<CardSpec, 'kind'>]>([
    ['kind:red-flag', { kind: 'red-flag' }],
    ['kind:contraindication', { kind: 'contraindication' }],
    ['modality:traction', { kind: 'advice', modality: 'traction' }],
    ['modality:opioid', { kind: 'red-flag', modality: 'opioid' }],
  ])('suppressing %s does not hide a %p card', (suppression, card) => {
    const suppressor = outcome('suppressor', { kind: 'red-flag', indicator: 'critical', suppresses: [suppression] });
    expect(names(selectCards([suppressor, outcome('card', card)], 'patient-view', NONE))).toEqual([
      'suppressor',
      'card',
    ]);
  });

  test('a contraindication about no modality shows on every hook', () => {
    const outcomes = [outcome('general', { kind: 'contraindication', indicator: 'warning' })];
    for (const hook of ['patient-view', 'order-select', 'order-sign'] as const) {
      expect(names(selectCards(outcomes, hook, NONE))).toEqual(['general']);
    }
  });

  test('patient-view: advice about a modality does not bring its contraindication into play, a step does', () => {
    const contraindication = outcome('traction-absolute', {
      kind: 'contraindication',
      modality: 'traction',
      indicator: 'critical',
    });
    const advice = outcome('traction-advice', { kind: 'advice', modality: 'traction' });
    const step = outcome('traction-step', { kind: 'step', modality: 'traction' });
    expect(names(selectCards([contraindication, advice], 'patient-view', NONE))).toEqual(['traction-advice']);
    expect(names(selectCards([contraindication, step], 'patient-view', NONE))).toEqual([
      'traction-absolute',
      'traction-step',
    ]);
    // A step that did not fire is not in play either.
    const idle = outcome('traction-step-idle', { kind: 'step', modality: 'traction' }, false);
    expect(names(selectCards([contraindication, idle], 'patient-view', NONE))).toEqual([]);
  });

  test('order hooks: a fired step does not bring its contraindication into play, the order does', () => {
    const outcomes = [
      outcome('traction-step', { kind: 'step', modality: 'traction' }),
      outcome('traction-absolute', { kind: 'contraindication', modality: 'traction', indicator: 'critical' }),
    ];
    for (const hook of ['order-select', 'order-sign'] as const) {
      expect(names(selectCards(outcomes, hook, NONE))).toEqual(['traction-step']);
      expect(names(selectCards(outcomes, hook, new Set(['traction'])))).toEqual(['traction-absolute', 'traction-step']);
    }
  });

  test('a contraindication hidden by name stays hidden even while its modality is ordered', () => {
    const outcomes = [
      outcome('traction-relative', { kind: 'contraindication', modality: 'traction', indicator: 'warning' }),
      outcome('traction-absolute', {
        kind: 'contraindication',
        modality: 'traction',
        indicator: 'critical',
        suppresses: ['rule:traction-relative'],
      }),
    ];
    expect(names(selectCards(outcomes, 'order-sign', new Set(['traction'])))).toEqual(['traction-absolute']);
  });

  test('order hooks: contraindications and advice show only for the modalities being ordered', () => {
    const outcomes = [
      outcome('traction-step', { kind: 'step', modality: 'traction' }),
      outcome('traction-absolute', { kind: 'contraindication', modality: 'traction', indicator: 'critical' }),
      outcome('injection-absolute', { kind: 'contraindication', modality: 'injection', indicator: 'critical' }),
      outcome('injection-advice', { kind: 'advice', modality: 'injection' }),
      outcome('traction-advice', { kind: 'advice', modality: 'traction' }),
      outcome('general-advice', { kind: 'advice' }),
    ];
    expect(names(selectCards(outcomes, 'order-sign', new Set(['injection'])))).toEqual([
      'injection-absolute',
      'traction-step',
      'injection-advice',
      'general-advice',
    ]);
    // The same outcomes on patient-view: the step is in play there, advice always shows.
    expect(names(selectCards(outcomes, 'patient-view', NONE))).toEqual([
      'traction-absolute',
      'traction-step',
      'injection-advice',
      'traction-advice',
      'general-advice',
    ]);
  });
});

describe('gatherGroups', () => {
  const group: CardGroupSpec = {
    description: 'd',
    hooks: ['patient-view'],
    indicator: 'info',
    summary: 'Not recommended: {{items}}',
    detail: 'd',
    source: { label: 'l', url: 'https://example.org' },
  };
  const groups = { 'not-recommended': group };
  const member = (name: string, modality: string, indicator: CardSpec['indicator'] = 'info') =>
    outcome(name, {
      kind: 'advice',
      modality,
      indicator,
      group: { name: 'not-recommended', item: name, reason: 'r' },
    });
  const none: ModalityContraindications = new Map();
  const shape = (cards: ReturnType<typeof gatherGroups>) =>
    cards.map((card) =>
      'rule' in card ? card.rule.rule.spec.name : `${card.group}: ${names(card.members).join(', ')}`,
    );

  test("on the group's hooks, members become one card where the first member stood", () => {
    const outcomes = [
      outcome('physiotherapy', { kind: 'step', modality: 'physiotherapy' }),
      member('no-injection', 'injection'),
      outcome('other', { kind: 'advice' }),
      member('no-fusion', 'surgery', 'warning'),
    ];
    expect(shape(gatherGroups(outcomes, 'patient-view', none, groups))).toEqual([
      'physiotherapy',
      'not-recommended: no-injection, no-fusion',
      'other',
    ]);
  });

  test('on other hooks every member shows alone', () => {
    const outcomes = [member('no-injection', 'injection'), member('no-fusion', 'surgery')];
    expect(shape(gatherGroups(outcomes, 'order-sign', none, groups))).toEqual(['no-injection', 'no-fusion']);
  });

  test('a member about a modality the patient has a contraindication to shows alone, relative or absolute', () => {
    const outcomes = [
      member('no-injection', 'injection'),
      member('no-traction', 'traction'),
      member('no-fusion', 'surgery'),
    ];
    const found: ModalityContraindications = new Map([
      ['injection', { absolute: [], relative: ['BMI 41'] }],
      ['traction', { absolute: ['osteoporosis'], relative: [] }],
      ['surgery', { absolute: [], relative: [] }],
    ]);
    expect(shape(gatherGroups(outcomes, 'patient-view', found, groups))).toEqual([
      'no-injection',
      'no-traction',
      'not-recommended: no-fusion',
    ]);
  });

  test('a card naming a group the rule set does not define shows alone', () => {
    expect(shape(gatherGroups([member('no-injection', 'injection')], 'patient-view', none, {}))).toEqual([
      'no-injection',
    ]);
  });
});
