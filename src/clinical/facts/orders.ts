import { known } from '../computed-fact';
import type { FactDefinition } from './definition';

export const orderFacts: FactDefinition[] = [
  {
    id: 'orderedModalities',
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
