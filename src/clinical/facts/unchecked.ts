import { known, type Facts } from '../computed-fact';
import type { FactDefinition } from './definition';

/**
 * The facts that could not be worked out from the data available (those with a `missing` reason), by id. Computed
 * after every other fact, from them: a rule can refuse to fire until what it must check is known, and say what is not.
 */
export const uncheckedFacts: FactDefinition = {
  id: 'uncheckedFacts',
  label: 'Facts that could not be checked (data missing)',
  type: 'list',
  absentText: 'none',
  compute: (_record, _context, computed: Facts = {}) =>
    known(Object.keys(computed).filter((id) => computed[id].missing !== undefined)),
};
