import type { Facts } from '../../clinical/computed-fact';
import type { DraftOrder } from '../../clinical/facts';
import type { RuleSet } from '../../rules/load-rule-set';
import type { HookContext } from '../types';
import type { ModalityContraindications } from './contraindication-statement';

/** Everything rendering a card needs besides the fired rule. */
export interface RenderContext {
  ruleSet: RuleSet;
  facts: Facts;
  context: HookContext;
  orders: DraftOrder[];
  now: Date;
  /** Contraindications found per modality: every card about that modality states them. */
  contraindications: ModalityContraindications;
  /** Where the rule catalogue is published (SPINE_CDS_PUBLIC_BASE_URL): each card links to its rule there. */
  publicBaseUrl?: string;
}
