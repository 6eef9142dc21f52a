import type { Response } from 'express';
import type { FeedbackEntry } from '../cds/feedback';
import type { CdsResponse, ServiceDefinition } from '../cds/types';
import { authenticatedClient } from '../http/auth/authenticate';
import { HttpError } from '../cds/protocol/operation-outcome';
import { LedgerUnavailableError, type CardLedger } from './card-ledger';

/** What an EHR is told to wait before retrying feedback the store could not take. */
const FEEDBACK_RETRY_AFTER_SECONDS = 5;

/** Queues the cards of a hook call for the ledger (never waits on the store). */
export function recordIssuedCards(
  ledger: CardLedger,
  res: Response,
  call: { service: ServiceDefinition; response: CdsResponse; ruleSetVersion: string; patientId: string },
): void {
  if (call.response.cards.length === 0) return;
  const client = authenticatedClient(res);
  ledger.record({
    cards: call.response.cards,
    service: call.service.id,
    hook: call.service.hook,
    ruleSetVersion: call.ruleSetVersion,
    patientId: call.patientId,
    ...(client ? { issuer: client.issuer.iss, ...(client.tenant ? { tenant: client.tenant } : {}) } : {}),
  });
}

/** Stores the feedback before the EHR is answered; 503 with Retry-After when the store cannot take it. */
export async function storeFeedback(
  ledger: CardLedger,
  res: Response,
  service: ServiceDefinition,
  entries: readonly FeedbackEntry[],
): Promise<void> {
  const client = authenticatedClient(res);
  try {
    await ledger.recordFeedback(
      entries.map((entry) => ({
        cardUuid: entry.card,
        service: service.id,
        outcome: entry.outcome,
        acceptedSuggestions: entry.acceptedSuggestions,
        outcomeAt: Date.parse(entry.outcomeTimestamp),
        ...(entry.overrideReasonCode ? { overrideReason: entry.overrideReasonCode } : {}),
        ...(entry.userComment ? { comment: entry.userComment } : {}),
        ...(client ? { issuer: client.issuer.iss, ...(client.tenant ? { tenant: client.tenant } : {}) } : {}),
      })),
    );
  } catch (error) {
    if (!(error instanceof LedgerUnavailableError)) throw error;
    throw new HttpError(
      503,
      [{ message: 'feedback could not be stored just now; retry later', problem: 'try-again-later' }],
      {
        'Retry-After': String(FEEDBACK_RETRY_AFTER_SECONDS),
      },
    );
  }
}
