import type { Bundle, Coding, Resource } from '@medplum/fhirtypes';
import type { HookName } from './protocol/hooks';

export interface FhirAuthorization {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  subject: string;
  patient?: string;
}

export interface HookContext {
  userId: string;
  /** Always a bare id: a `Patient/` prefix sent by a client is removed during validation. */
  patientId: string;
  encounterId?: string;
  selections?: string[];
  draftOrders?: Bundle;
}

export interface HookRequest {
  hook: HookName;
  hookInstance: string;
  fhirServer?: string;
  fhirAuthorization?: FhirAuthorization;
  context: HookContext;
  /** Raw prefetch as sent; keys are interpreted by the prefetch resolver. */
  prefetch: Record<string, unknown>;
}

export interface CardSource {
  label: string;
  url?: string;
  icon?: string;
  topic?: Coding;
}

export interface Action {
  type: 'create' | 'update' | 'delete';
  description: string;
  resource?: Resource;
  resourceId?: string;
}

export interface Suggestion {
  label: string;
  uuid: string;
  isRecommended?: boolean;
  actions?: Action[];
}

export interface Link {
  label: string;
  url: string;
  type: 'absolute' | 'smart';
  appContext?: string;
}

export interface Card {
  uuid: string;
  summary: string;
  detail?: string;
  indicator: 'info' | 'warning' | 'critical';
  source: CardSource;
  suggestions?: Suggestion[];
  selectionBehavior?: 'at-most-one' | 'any';
  overrideReasons?: Coding[];
  links?: Link[];
  /** CDS Hooks 2.0 card extensions: `spine-cds.rules` and `spine-cds.citations` (see the README, "Cards"). */
  extension?: Record<string, unknown>;
}

export interface CdsResponse {
  cards: Card[];
  systemActions?: Action[];
}

export interface PrefetchTemplates {
  [key: string]: string;
}

export interface ServiceDefinition {
  id: string;
  hook: HookName;
  title: string;
  description: string;
  prefetch: PrefetchTemplates;
  usageRequirements: string;
}
