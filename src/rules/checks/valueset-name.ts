import type { Terminology } from '../../fhir/terminology';
import { didYouMean } from '../did-you-mean';

/** What a problem says about a ValueSet name no loaded ValueSet has (with a did-you-mean). */
export function unknownValueSetMessage(valueSet: string, terminology: Terminology): string {
  return (
    `ValueSet "${valueSet}" does not exist in fhir-profiles/valuesets.` +
    didYouMean(valueSet, terminology.valueSetIds())
  );
}
