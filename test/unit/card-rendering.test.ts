import path from 'node:path';
import { buildHookRequest, loadScenarios, type LoadedScenario } from '../../src/cli/scenarios';
import { handleHookCall } from '../../src/cds/hook-service';
import type { Card } from '../../src/cds/types';
import { bundledRuleSet, PROJECT_ROOT } from '../support/spine-service';
import { offlineFetchSettings } from '../../src/cds/prefetch';

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
    expect(cardOf(cards, 'injection-relative').detail).toMatch(/Anticoagulant use: yes/);
  });

  test('a reference to a Medication that was not sent makes anticoagulation unknown, never "none"', async () => {
    const cards = await cardsOf(
      named(),
      withPrescription({ medicationReference: { reference: 'Medication/m-1', display: 'Coumadin 5 mg' } }),
    );
    const detail = cardOf(cards, 'injection-consider').detail ?? '';
    expect(detail).toMatch(
      /\*\*Could not be checked\*\*[\s\S]*Anticoagulant use: not known \(1 active prescription\(s\) name their medication only by a reference/,
    );
    expect(detail).not.toMatch(/Anticoagulant use: none recorded/);
  });
});
