import { createHmac } from 'node:crypto';
import type { Card } from '../cds/types';
import type { Logger } from '../logger';
import { feedbackOutcomes, ledgerWriteFailures } from '../metrics';
import type { LedgerConfig } from './ledger-config';
import type { CardRecord, FeedbackRecord, LedgerStore } from './ledger-store';

/**
 * Cards wait at most this long before they are written, in one batch with the others of the moment. The embedded
 * store writes synchronously and each commit waits for the disk (fsync), on the event loop: one batch a second keeps
 * that wait to a few milliseconds a second instead of one per hook call.
 */
const FLUSH_DELAY_MS = 1000;
/** Cards held while the store is slow or away; past this, new cards are counted as missed instead. */
const MAX_PENDING = 20_000;
const DAY_MS = 24 * 60 * 60 * 1000;
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/** Who a hook call came from and what it was about, minus anything about the patient. */
export interface IssuedCards {
  cards: readonly Card[];
  service: string;
  hook: string;
  ruleSetVersion: string;
  issuer?: string;
  tenant?: string;
  patientId: string;
}

export interface LedgerCounts {
  cardsRecorded: number;
  cardsMissed: number;
  cardsPending: number;
}

/** The store said no: the EHR should retry the feedback later (503 with Retry-After). */
export class LedgerUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the ledger store is unavailable: ${reasonOf(cause)}`);
    this.name = 'LedgerUnavailableError';
  }
}

/**
 * Records every card issued and the feedback on it. Hook calls never wait on the store: cards are queued and
 * written in batches; a batch the store refuses is counted and logged as missed (cards already went out).
 * Feedback is written before it is acknowledged, so the EHR learns when to retry.
 */
export class CardLedger {
  private pending: CardRecord[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly pruneTimer: NodeJS.Timeout;
  private readonly counts = { cardsRecorded: 0, cardsMissed: 0 };

  constructor(
    readonly store: LedgerStore,
    private readonly config: Pick<LedgerConfig, 'retentionDays' | 'patientKeySecret' | 'storeComments'>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    void this.prune();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS).unref();
  }

  /** Queues the cards of one response; returns at once (close() writes what is still queued). */
  record(issued: IssuedCards): void {
    const records = issued.cards.map((card) => this.cardRecord(card, issued));
    if (this.pending.length + records.length > MAX_PENDING) {
      this.missed(records.length, 'too many cards waiting for the store');
      return;
    }
    this.pending.push(...records);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS).unref();
  }

  /** Writes the feedback durably (comments only when configured), or throws LedgerUnavailableError. */
  async recordFeedback(entries: readonly Omit<FeedbackRecord, 'receivedAt'>[]): Promise<void> {
    const receivedAt = this.now();
    const records = entries.map(({ comment, ...entry }) => ({
      ...entry,
      receivedAt,
      ...(this.config.storeComments && comment ? { comment } : {}),
    }));
    try {
      await this.store.recordFeedback(records);
    } catch (error) {
      this.logger.warn(
        { event: 'feedback-store-failed', entries: records.length, reason: reasonOf(error) },
        'feedback not stored; the EHR is asked to retry',
      );
      throw new LedgerUnavailableError(error);
    }
    await this.countFeedback(records);
  }

  /** Feedback outcomes per rule for the metrics; a failed lookup only loses the rule label. */
  private async countFeedback(records: readonly FeedbackRecord[]): Promise<void> {
    const rules = await this.store.cardRules(records.map((record) => record.cardUuid)).catch(() => new Map());
    for (const record of records)
      feedbackOutcomes.inc({ rule: rules.get(record.cardUuid) ?? 'unknown', outcome: record.outcome });
  }

  /** Writes what is queued (one batch at a time); resolves when the queue was empty at some point. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.flushing = this.store
      .recordCards(batch)
      .then(
        () => void (this.counts.cardsRecorded += batch.length),
        (error: unknown) => this.missed(batch.length, reasonOf(error)),
      )
      .finally(() => {
        this.flushing = undefined;
        if (this.pending.length > 0) this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS).unref();
      });
    await this.flushing;
  }

  stats(): LedgerCounts {
    return { ...this.counts, cardsPending: this.pending.length };
  }

  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.flush();
    await this.store.close();
  }

  private cardRecord(card: Card, issued: IssuedCards): CardRecord {
    return {
      cardUuid: card.uuid,
      suggestionUuids: (card.suggestions ?? []).flatMap((suggestion) => (suggestion.uuid ? [suggestion.uuid] : [])),
      rule: card.source.topic?.code ?? 'unknown',
      ruleSetVersion: issued.ruleSetVersion,
      service: issued.service,
      hook: issued.hook,
      indicator: card.indicator,
      issuedAt: this.now(),
      ...(issued.issuer ? { issuer: issued.issuer } : {}),
      ...(issued.tenant ? { tenant: issued.tenant } : {}),
      ...(this.config.patientKeySecret
        ? { patientKey: createHmac('sha256', this.config.patientKeySecret).update(issued.patientId).digest('hex') }
        : {}),
    };
  }

  private missed(cards: number, reason: string): void {
    this.counts.cardsMissed += cards;
    ledgerWriteFailures.inc(cards);
    this.logger.error(
      { event: 'ledger-write-failed', cards, missedSoFar: this.counts.cardsMissed, reason },
      'cards were sent but could not be recorded in the ledger',
    );
  }

  private async prune(): Promise<void> {
    try {
      const removed = await this.store.prune(this.now() - this.config.retentionDays * DAY_MS);
      if (removed > 0) this.logger.info({ event: 'ledger-pruned', rows: removed }, 'old ledger rows pruned');
    } catch (error) {
      this.logger.warn(
        { event: 'ledger-prune-failed', reason: reasonOf(error) },
        'ledger pruning failed; retried within the hour',
      );
    }
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
