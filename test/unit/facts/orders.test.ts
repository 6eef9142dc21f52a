import { factContext, factOf, patientRecord } from '../../support/fact-record';

/** The treatments ordered in the hook call (src/clinical/facts/orders.ts), each draft order cited. */

test('modalities once each, sorted; every draft cited with how an unlisted product was recognised', () => {
  const orders = [
    {
      modality: 'opioid',
      reference: 'MedicationRequest/a',
      display: 'Oxycodone 5 mg',
      recognisedBy: 'ingredient name: oxycodone',
    },
    { modality: 'imaging', display: 'MRI lumbar spine' },
    { modality: 'opioid', reference: 'MedicationRequest/b', display: 'Tramadol 50 mg' },
  ];
  expect(factOf('orderedModalities', patientRecord({}), factContext({ hook: 'order-sign', orders }))).toEqual({
    value: ['imaging', 'opioid'],
    cites: [
      {
        reference: 'MedicationRequest/a',
        text: 'draft order: Oxycodone 5 mg (recognised by ingredient name: oxycodone)',
      },
      { text: 'draft order: MRI lumbar spine' },
      { reference: 'MedicationRequest/b', text: 'draft order: Tramadol 50 mg' },
    ],
  });
});

test('no draft orders: an empty list', () => {
  expect(factOf('orderedModalities', patientRecord({}))).toEqual({ value: [], cites: [] });
});
