import { known } from '../computed-fact';
import type { FactDefinition } from './definition';

/** The fact a rule compares to ask what the hook call orders (its values: rules/shared.json `orderModalities`). */
export const ORDERED_MODALITIES_FACT = 'orderedModalities';

export const orderFacts: FactDefinition[] = [
  {
    id: ORDERED_MODALITIES_FACT,
    label: 'Treatments ordered in this hook call',
    type: 'list',
    absentText: 'none',
    compute: (_record, context) =>
      known(
        [...new Set(context.orders.map((order) => order.modality))].sort(),
        context.orders.map((order) => ({
          ...(order.reference ? { reference: order.reference } : {}),
          text: `draft order: ${order.display}${order.recognisedBy ? ` (recognised by ${order.recognisedBy})` : ''}`,
        })),
      ),
  },
];
