import { BodyChecker } from './protocol/body-checker';
import { isObject } from '../json-value';

export interface FeedbackEntry {
  card: string;
  outcome: 'accepted' | 'overridden';
  acceptedSuggestions: string[];
  overrideReasonCode?: string;
  /** Free text from the clinician: it can contain patient data, so it is never logged. */
  userComment?: string;
  outcomeTimestamp: string;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Validates a CDS Hooks 2.0 feedback body. The Sandbox sends override reasons as a Coding without display:
 * that is accepted (display is only required of the service's own overrideReasons).
 */
export function parseFeedback(body: unknown): FeedbackEntry[] {
  const check = new BodyChecker();
  const root = check.object(body, 'body');
  check.finish();
  const list = (root as Record<string, unknown>).feedback;
  if (!Array.isArray(list) || list.length === 0) {
    check.problem(
      'feedback',
      list === undefined ? 'is required' : 'must be a non-empty array',
      list === undefined ? 'required' : 'wrong-type',
    );
    check.finish();
  }
  const entries = (list as unknown[]).map((item, i) => parseEntry(check, item, `feedback[${i}]`));
  check.finish();
  return entries as FeedbackEntry[];
}

function parseEntry(check: BodyChecker, item: unknown, path: string): FeedbackEntry | undefined {
  const entry = check.object(item, path);
  if (!entry) return undefined;
  const card = check.string(entry.card, `${path}.card`);
  const outcome = check.oneOf(entry.outcome, `${path}.outcome`, ['accepted', 'overridden'] as const);
  const timestamp = check.string(entry.outcomeTimestamp, `${path}.outcomeTimestamp`);
  if (timestamp !== undefined && (!DATE_TIME.test(timestamp) || Number.isNaN(Date.parse(timestamp)))) {
    check.problem(
      `${path}.outcomeTimestamp`,
      'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-21T10:00:00Z',
      'not-a-date-time',
    );
  }
  const accepted = parseAcceptedSuggestions(check, entry.acceptedSuggestions, `${path}.acceptedSuggestions`, outcome);
  const reason = parseOverrideReason(check, entry.overrideReason, `${path}.overrideReason`, outcome);
  if (card === undefined || outcome === undefined || timestamp === undefined) return undefined;
  return {
    card,
    outcome,
    acceptedSuggestions: accepted,
    outcomeTimestamp: timestamp,
    ...(reason?.code ? { overrideReasonCode: reason.code } : {}),
    ...(reason?.comment ? { userComment: reason.comment } : {}),
  };
}

function parseAcceptedSuggestions(
  check: BodyChecker,
  value: unknown,
  path: string,
  outcome: string | undefined,
): string[] {
  if (value === undefined || value === null) {
    if (outcome === 'accepted') check.problem(path, 'is required when outcome is "accepted"', 'required');
    return [];
  }
  if (!Array.isArray(value) || value.length === 0) {
    check.problem(path, 'must be a non-empty array of { "id": suggestion uuid }', 'wrong-type');
    return [];
  }
  return value.flatMap((item, i) => {
    const id = isObject(item)
      ? check.string(item.id, `${path}[${i}].id`)
      : check.problem(`${path}[${i}]`, 'must be an object { "id": suggestion uuid }', 'wrong-type');
    return id ? [id] : [];
  });
}

function parseOverrideReason(
  check: BodyChecker,
  value: unknown,
  path: string,
  outcome: string | undefined,
): { code?: string; comment?: string } | undefined {
  if (value === undefined || value === null) return undefined;
  if (outcome === 'accepted') check.problem(path, 'only applies when outcome is "overridden"', 'not-applicable');
  const reason = check.object(value, path);
  if (!reason) return undefined;
  const comment = typeof reason.userComment === 'string' ? reason.userComment : undefined;
  if (reason.userComment !== undefined && comment === undefined)
    check.problem(`${path}.userComment`, 'must be a string', 'wrong-type');
  if (reason.reason === undefined) return { comment };
  const coding = check.object(reason.reason, `${path}.reason`);
  return { code: coding ? check.string(coding.code, `${path}.reason.code`) : undefined, comment };
}
