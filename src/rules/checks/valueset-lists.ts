import { REQUIRED_VALUESET_LISTS } from '../../clinical/facts';
import type { FileProblemCode } from '../../file-problem-codes';
import type { Terminology } from '../../fhir/terminology';
import type { SharedFile } from '../shared-definitions';
import { unknownValueSetMessage } from './valueset-name';

type Problem = { path: string; code: FileProblemCode; message: string };

/**
 * The ValueSet lists of rules/shared.json that code reads: every list the facts need is there, and every ValueSet a
 * list or an order modality names is loaded (checked only when the ValueSets loaded). One problem per mistake.
 */
export function checkValueSetLists(
  { valueSetLists, orderModalities }: Pick<SharedFile, 'valueSetLists' | 'orderModalities'>,
  terminology: Terminology | undefined,
): Problem[] {
  const missing: Problem[] = REQUIRED_VALUESET_LISTS.filter((name) => !Object.hasOwn(valueSetLists, name)).map(
    (name) => ({
      path: `valueSetLists.${name}`,
      code: 'missing-valueset-list',
      message: 'is missing; the fact computations need it',
    }),
  );
  const named = [
    ...Object.entries(valueSetLists).flatMap(([name, list]) =>
      list.valueSets.map((valueSet, i) => ({ path: `valueSetLists.${name}.valueSets[${i}]`, valueSet })),
    ),
    ...orderModalities.map(({ valueSet }, i) => ({ path: `orderModalities[${i}].valueSet`, valueSet })),
  ];
  const unknown: Problem[] = terminology
    ? named
        .filter(({ valueSet }) => !terminology.has(valueSet))
        .map(({ path, valueSet }) => ({
          path,
          code: 'unknown-valueset',
          message: unknownValueSetMessage(valueSet, terminology),
        }))
    : [];
  return [...missing, ...unknown];
}
