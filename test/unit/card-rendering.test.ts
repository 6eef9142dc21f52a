import path from 'node:path';
import { buildHookRequest } from '../../src/cli/scenarios/hook-request';
import { loadScenarios } from '../../src/cli/scenarios/load';
import type { LoadedScenario } from '../../src/cli/scenarios/types';
import { handleHookCall } from '../../src/cds/hook-service';
import type { Card } from '../../src/cds/types';
import { bundledRuleSet, PROJECT_ROOT } from '../support/spine-service';
import { offlineFetchSettings } from '../../src/cds/prefetch';
import { cardOfRule, citedReferences, FHIR_REFERENCE } from '../support/cards';

/** What a clinician and an EHR see on rendered cards, beyond which cards appear (that is the scenarios' job). */

const ruleSet = bundledRuleSet();
const { scenarios } = loadScenarios(path.join(PROJECT_ROOT, 'rules'), undefined, ruleSet);
const NO_FETCH = offlineFetchSettings('tests read only the request');

function scenario(name: string): LoadedScenario {
  const found = scenarios.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
}

async function cardsOf(named: LoadedScenario, change: (request: any) => void = () => undefined): Promise<Card[]> {
  const request = buildHookRequest(named, ruleSet);
  change(request);
  const { response } = await handleHookCall(named.hook, request, {
    ruleSet,
    fetchSettings: NO_FETCH,
    now: () => new Date(named.now),
  });
  return response.cards;
}

const cardOf = (cards: Card[], rule: string): Card => {
  const card = cards.find((candidate) => candidate.source.topic?.code === rule);
  if (!card) throw new Error(`no ${rule} card among ${cards.map((c) => c.source.topic?.code).join(', ')}`);
  return card;
};

test('an emergency card proposes a stat order, not a routine one', async () => {
  const card = cardOf(await cardsOf(scenario('red-flag-cauda-equina-syndrome')), 'cauda-equina');
  const mri = card.suggestions?.[0].actions?.[0].resource as {
    priority?: string;
    code?: { coding?: Array<{ code?: string }> };
  };
  expect(mri.priority).toBe('stat');
});

test('a card whose suggestions can all be wanted lets the clinician take several', async () => {
  const card = cardOf(await cardsOf(scenario('step-surgical-referral-radicular-severe-pain')), 'surgical-referral');
  expect(card.selectionBehavior).toBe('any');
  expect(card.suggestions?.length).toBe(2);
});

test('patient-record text cannot inject markup, and a long record is cited with a bounded list', async () => {
  const named = scenario('step-injection-radicular-after-6-weeks');
  const cards = await cardsOf(named, (request) => {
    const extra = Array.from({ length: 30 }, (_, i) => ({
      resource: {
        resourceType: 'Condition',
        id: `extra-${i}`,
        subject: { reference: `Patient/${named.patientId}` },
        code: {
          coding: [
            {
              system: 'http://snomed.info/sct',
              code: '23056005',
              display: `![tracker](https://tracker.example/${i}.gif)\n# heading`,
            },
          ],
        },
        onsetDateTime: '2026-09-26',
      },
    }));
    request.prefetch.conditions.entry.push(...extra);
  });
  const detail = cardOf(cards, 'injection-consider').detail ?? '';
  expect(detail).not.toContain('![tracker](');
  expect(detail).toContain('!\\[tracker\\](https://tracker.example/0.gif) # heading');
  expect(detail).not.toMatch(/^# heading/m);
  expect(detail).toMatch(/- and \d+ more/);
  expect(detail.split('\n').filter((line) => line.includes('tracker.example')).length).toBeLessThanOrEqual(10);
});

test('a draft order without an id is still checked; only the delete suggestion is left out', async () => {
  const named = scenario('order-traction-no-contraindication');
  const cards = await cardsOf(named, (request) => {
    for (const entry of request.context.draftOrders.entry) delete entry.resource.id;
  });
  const card = cardOf(cards, 'order-traction');
  expect(card.indicator).toBe('warning');
  expect(card.suggestions).toBeUndefined();
});

describe('prescriptions that name their medication by reference', () => {
  const named = () => scenario('step-injection-radicular-after-6-weeks');
  const withPrescription = (medication: Record<string, unknown>) => (request: any) => {
    request.prefetch.medications = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        {
          resource: {
            resourceType: 'MedicationRequest',
            id: 'mr-1',
            status: 'active',
            intent: 'order',
            subject: { reference: `Patient/${named().patientId}` },
            ...medication,
          },
        },
      ],
    };
  };

  test('a contained Medication is read: warfarin there is anticoagulation', async () => {
    const cards = await cardsOf(
      named(),
      withPrescription({
        contained: [
          {
            resourceType: 'Medication',
            id: 'med',
            code: {
              coding: [
                {
                  system: 'http://www.nlm.nih.gov/research/umls/rxnorm',
                  code: '855332',
                  display: 'warfarin sodium 5 MG Oral Tablet',
                },
              ],
            },
          },
        ],
        medicationReference: { reference: '#med' },
      }),
    );
    expect(cardOf(cards, 'injection-relative').detail).toMatch(/Anticoagulant use:\n +- warfarin sodium 5 MG/);
  });

  test('a reference to a Medication that was not sent makes anticoagulation unknown, never "none"', async () => {
    const cards = await cardsOf(
      named(),
      withPrescription({ medicationReference: { reference: 'Medication/m-1', display: 'Coumadin 5 mg' } }),
    );
    const detail = cardOf(cards, 'injection-consider').detail ?? '';
    expect(detail).toMatch(
      new RegExp(
        /\*\*Could not be checked\*\*[^\n]*anticoagulant[^\n(]*/.source +
          /\(1 active prescription\(s\) name their medication only by a reference/.source,
      ),
    );
    expect(detail).not.toMatch(/Anticoagulant use: none recorded|No record of:[^\n]*anticoagulant/);
  });
});

describe('order hooks: no suggestion equivalent to the order being placed (issue 12, item 4)', () => {
  const mriDraft = () => {
    const coding = ruleSet.terminology.firstCoding('lumbar-spine-mri');
    return {
      resourceType: 'ServiceRequest',
      id: 'draft-mri',
      status: 'draft',
      intent: 'order',
      subject: { reference: `Patient/${scenario('red-flag-cauda-equina-syndrome').patientId}` },
      code: { coding: [coding], text: 'Lumbar MRI as drafted' },
    };
  };
  const asOrderSelect = (draft: Record<string, unknown>) => (request: any) => {
    request.hook = 'order-select';
    request.context.draftOrders = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft }] };
    request.context.selections = ['ServiceRequest/draft-mri'];
  };
  const orderSelect = async (draft: Record<string, unknown>) => {
    const named = scenario('red-flag-cauda-equina-syndrome');
    const request = buildHookRequest(named, ruleSet);
    asOrderSelect(draft)(request);
    const { response } = await handleHookCall('order-select', request, {
      ruleSet,
      fetchSettings: NO_FETCH,
      now: () => new Date(named.now),
    });
    return cardOf(response.cards, 'cauda-equina');
  };
  const createdCodes = (card: Card) =>
    (card.suggestions ?? []).flatMap((s) =>
      (s.actions ?? []).flatMap((a) =>
        a.type === 'create' ? ((a.resource as any)?.code?.coding ?? []).map((c: any) => c.code) : [],
      ),
    );
  const mriCodes = () => ruleSet.terminology.codesOf('lumbar-spine-mri').map((c) => c.code);

  test(`the cauda equina card does not offer a lumbar MRI while one is the draft, \
and says the draft is right`, async () => {
    const card = await orderSelect(mriDraft());
    expect(createdCodes(card).filter((code) => mriCodes().includes(code))).toEqual([]);
    const expected = (ruleSet.statements.orderPlacedWithPriority as string)
      .replace('{{order}}', 'Lumbar MRI as drafted')
      .replace('{{priority}}', 'stat');
    expect(card.detail).toContain(expected);
  });

  test('a draft already stat is simply confirmed', async () => {
    const card = await orderSelect({ ...mriDraft(), priority: 'stat' });
    expect(card.detail).toContain(
      (ruleSet.statements.orderPlaced as string).replace('{{order}}', 'Lumbar MRI as drafted'),
    );
  });

  test('control: on patient-view the same card offers the stat lumbar MRI', async () => {
    const card = cardOf(await cardsOf(scenario('red-flag-cauda-equina-syndrome')), 'cauda-equina');
    expect(createdCodes(card).some((code) => mriCodes().includes(code))).toBe(true);
    expect(card.detail).not.toContain('Already being ordered');
  });
});

describe('links, cited records and card groups', () => {
  const BASE = 'https://cds.example.org';
  const answered = async (named: LoadedScenario) => {
    const { response } = await handleHookCall(named.hook, buildHookRequest(named, ruleSet), {
      ruleSet,
      fetchSettings: NO_FETCH,
      now: () => new Date(named.now),
      publicBaseUrl: BASE,
    });
    return response.cards;
  };

  test(`every card of every scenario links to its rules in the catalogue \
and keeps FHIR ids out of its prose`, async () => {
    let cited = 0;
    for (const named of scenarios) {
      for (const card of await answered(named)) {
        const rules = card.extension?.['spine-cds.rules'] as string[];
        expect(rules.length).toBeGreaterThan(0);
        expect(card.links?.map((link) => link.url)).toEqual(rules.map((rule) => `${BASE}/rules#rule-${rule}`));
        expect(
          card.links?.every((link) => link.type === 'absolute' && link.label.startsWith('How this rule works')),
        ).toBe(true);
        expect(`${card.summary}\n${card.detail}`).not.toMatch(FHIR_REFERENCE);
        cited += citedReferences(card).length;
      }
    }
    expect(cited).toBeGreaterThan(100);
  });

  test('the records behind the Why of a card are in its citations extension', async () => {
    const card = cardOf(await answered(scenario('step-injection-radicular-after-6-weeks')), 'injection-consider');
    const named = scenario('step-injection-radicular-after-6-weeks');
    const sciatica = named.resources.find(
      (r: any) => r.resourceType === 'Condition' && /sciatica/i.test(JSON.stringify(r.code)),
    );
    expect(citedReferences(card)).toContain(`Condition/${sciatica?.id}`);
  });

  test(`a chronic non-specific chart-open: physiotherapy and one not-recommended card \
naming injections, traction and fusion`, async () => {
    const cards = await answered(scenario('step-no-fusion-chronic-non-specific'));
    expect(cards.map((card) => card.source.topic?.code)).toEqual(['physiotherapy', 'not-recommended']);
    const group = cards[1] as Card;
    expect(group.indicator).toBe('info');
    expect(group.extension?.['spine-cds.rules']).toEqual(['traction-discussion', 'no-injection-axial', 'no-fusion']);
    expect(group.summary).toBe(
      ruleSet.cardGroups['not-recommended']?.summary.replace(
        '{{items}}',
        'traction or decompression, spinal injections, spinal fusion',
      ),
    );
    // Each item with its reason, evidence strength and source.
    for (const rule of ['traction-discussion', 'no-injection-axial', 'no-fusion']) {
      const spec = ruleSet.rules.find((r) => r.spec.name === rule)?.spec.card;
      expect(group.detail).toContain(spec?.group?.reason.replace('{{param.conservativeCareMinWeeks}}', '6'));
      expect(group.detail).toContain(spec?.source.url);
    }
  });

  test(`a treatment with a contraindication keeps its own card, stating it, \
out of the not-recommended card`, async () => {
    const cards = await answered(scenario('safety-t-score-traction-stated'));
    const traction = cardOf(cards, 'traction-absolute');
    expect(traction.indicator).toBe('critical');
    expect(traction.summary).toMatch(/T-score -3.1/);
    const group = cardOf(cards, 'not-recommended');
    expect(group.extension?.['spine-cds.rules']).not.toContain('traction-discussion');
    expect(group.summary).not.toMatch(/traction/i);
  });

  test(`neurogenic claudication: info in the not-recommended card on patient-view, \
a warning alone when an injection is ordered`, async () => {
    const viewed = await answered(scenario('step-no-injection-neurogenic-claudication'));
    expect(viewed.map((card) => card.source.topic?.code)).not.toContain('no-injection-claudication');
    expect(cardOfRule(viewed, 'no-injection-claudication')?.indicator).toBe('info');
    const ordered = await answered(scenario('order-injection-neurogenic-claudication'));
    expect(cardOf(ordered, 'no-injection-claudication').indicator).toBe('warning');
  });
});

test('self-care and physiotherapy cards prompt a return to work and usual activities (NICE NG59)', async () => {
  const selfCare = cardOf(await cardsOf(scenario('step-self-care-acute')), 'self-care');
  const physiotherapy = cardOf(await cardsOf(scenario('step-physiotherapy-subacute')), 'physiotherapy');
  for (const card of [selfCare, physiotherapy])
    expect(card.detail).toMatch(/return(ing)? to\)? work and usual activities/);
});
