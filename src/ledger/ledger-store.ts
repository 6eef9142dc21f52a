/**
 * What the ledger keeps about one card sent to an EHR: who sent it and why, never about whom (see README
 * "Card ledger").
 */
export interface CardRecord {
  cardUuid: string;
  suggestionUuids: string[];
  rule: string;
  ruleSetVersion: string;
  service: string;
  hook: string;
  indicator: string;
  /** Epoch milliseconds. */
  issuedAt: number;
  issuer?: string;
  tenant?: string;
  /** HMAC of the patient id with a configured secret; absent unless configured. */
  patientKey?: string;
}

/** One clinician's response to a card, as the EHR reported it. */
export interface FeedbackRecord {
  cardUuid: string;
  service: string;
  outcome: 'accepted' | 'overridden';
  acceptedSuggestions: string[];
  overrideReason?: string;
  /** Only when SPINE_CDS_FEEDBACK_COMMENTS=store: free text can contain patient data. */
  comment?: string;
  /** Epoch milliseconds, as the EHR reported them. */
  outcomeAt: number;
  receivedAt: number;
  issuer?: string;
  tenant?: string;
}

/** Cards of one rule and rule-set version issued in one week (weeks start on Monday, UTC). */
export interface CardWeekCounts {
  rule: string;
  ruleSetVersion: string;
  /** Epoch milliseconds of the week's Monday 00:00 UTC. */
  weekStart: number;
  shown: number;
  accepted: number;
  /** Overridden and never accepted. */
  overridden: number;
}

export interface OverrideReasonCount {
  rule: string;
  ruleSetVersion: string;
  /** The override reason code; undefined when the EHR gave none. */
  reason?: string;
  cards: number;
}

/** Raw figures since a date, which src/ledger/analytics.ts shapes into the report. */
export interface LedgerFigures {
  cardWeeks: CardWeekCounts[];
  overrideReasons: OverrideReasonCount[];
  /** Feedback stored for cards this ledger does not know (older than retention, another deployment). */
  unmatchedFeedback: number;
  feedbackEntries: number;
}

/**
 * The one storage contract of the ledger: the embedded file store and PostgreSQL both implement it, and one
 * test suite (test/integration/ledger-store.test.ts) runs against both.
 */
export interface LedgerStore {
  readonly kind: 'embedded' | 'postgres';
  /** Applies the schema migrations not yet applied (safe when several instances start at once). */
  migrate(): Promise<void>;
  recordCards(cards: readonly CardRecord[]): Promise<void>;
  /** Stores feedback durably; a repeat of an entry already stored (an EHR retry) is not stored twice. */
  recordFeedback(entries: readonly FeedbackRecord[]): Promise<void>;
  figures(sinceMs: number): Promise<LedgerFigures>;
  /** The rule of each card this ledger knows, by card uuid. */
  cardRules(cardUuids: readonly string[]): Promise<Map<string, string>>;
  /** Deletes cards issued and feedback received before `beforeMs`; returns how many rows went. */
  prune(beforeMs: number): Promise<number>;
  close(): Promise<void>;
}
