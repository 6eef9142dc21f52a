import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { postJson, PROJECT_ROOT } from './spine-service';

/** The README's example patient-view (full prefetch), with a fresh hookInstance. */
export function examplePatientView(): Record<string, unknown> {
  const body = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'requests', 'patient-view.json'), 'utf8'),
  ) as Record<string, unknown>;
  return { ...body, hookInstance: randomUUID() };
}

export interface IssuedCard {
  uuid: string;
  rule: string;
  suggestions: string[];
}

/** One patient-view call; returns its cards (uuid, rule, suggestion uuids). */
export async function issueCards(baseUrl: string, headers: Record<string, string> = {}): Promise<IssuedCard[]> {
  const response = await postJson(`${baseUrl}/cds-services/spine-patient-view`, examplePatientView(), headers);
  if (response.status !== 200) throw new Error(`hook call answered ${response.status}`);
  return (
    response.body.cards as Array<{
      uuid: string;
      source: { topic: { code: string } };
      suggestions?: Array<{ uuid: string }>;
    }>
  ).map((card) => ({
    uuid: card.uuid,
    rule: card.source.topic.code,
    suggestions: (card.suggestions ?? []).map((suggestion) => suggestion.uuid),
  }));
}

export const accepted = (card: IssuedCard) => ({
  card: card.uuid,
  outcome: 'accepted',
  acceptedSuggestions: card.suggestions.slice(0, 1).map((id) => ({ id })),
  outcomeTimestamp: '2026-11-21T10:00:00Z',
});

export const overridden = (card: IssuedCard, code?: string, userComment?: string) => ({
  card: card.uuid,
  outcome: 'overridden',
  ...(code || userComment
    ? {
        overrideReason: {
          ...(code ? { reason: { system: 'https://fhir.spine-cds.example/CodeSystem/override-reason', code } } : {}),
          ...(userComment ? { userComment } : {}),
        },
      }
    : {}),
  outcomeTimestamp: '2026-11-21T10:05:00Z',
});

/** Sends feedback on the service's feedback endpoint for spine-patient-view. */
export const sendFeedback = (baseUrl: string, entries: unknown[], headers: Record<string, string> = {}) =>
  postJson(`${baseUrl}/cds-services/spine-patient-view/feedback`, { feedback: entries }, headers);

/** GET /rules/analytics as JSON. */
export async function analytics(baseUrl: string): Promise<any> {
  const response = await fetch(`${baseUrl}/rules/analytics?format=json`);
  if (response.status !== 200) throw new Error(`analytics answered ${response.status}`);
  return response.json();
}
