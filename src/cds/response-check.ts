import type { CdsResponse } from './types';

const INDICATORS = new Set(['info', 'warning', 'critical']);
const ACTION_TYPES = new Set(['create', 'update', 'delete']);
const LINK_TYPES = new Set(['absolute', 'smart']);

type Json = Record<string, unknown>;

/**
 * Checks an outgoing response against the CDS Hooks 2.0 card rules that EHR renderers depend on. Returns
 * every violation with its path; an empty list means the response may leave.
 */
export function responseViolations(response: CdsResponse): string[] {
  const violations: string[] = [];
  const fail = (path: string, problem: string) => violations.push(`${path}: ${problem}`);
  if (!Array.isArray(response.cards)) return ['cards: must be an array'];
  findNullsAndEmpties(response, '', true, fail);
  response.cards.forEach((card, i) => checkCard(card as unknown as Json, `cards[${i}]`, fail));
  (response.systemActions ?? []).forEach((action, i) =>
    checkAction(action as unknown as Json, `systemActions[${i}]`, fail),
  );
  return violations;
}

type Fail = (path: string, problem: string) => void;

function checkCard(card: Json, path: string, fail: Fail): void {
  if (typeof card.uuid !== 'string') fail(`${path}.uuid`, 'is required (feedback needs it)');
  if (typeof card.summary !== 'string' || card.summary.length === 0) fail(`${path}.summary`, 'is required');
  else if (card.summary.length >= 140)
    fail(`${path}.summary`, `has ${card.summary.length} characters; must be under 140`);
  if (!INDICATORS.has(card.indicator as string)) fail(`${path}.indicator`, 'must be info, warning or critical');
  const source = card.source as Json | undefined;
  if (typeof source?.label !== 'string') fail(`${path}.source.label`, 'is required');
  if (source?.url !== undefined && !isAbsoluteUrl(source.url)) fail(`${path}.source.url`, 'must be an absolute URL');
  const suggestions = card.suggestions as Json[] | undefined;
  if (suggestions !== undefined) {
    if (!['at-most-one', 'any'].includes(card.selectionBehavior as string))
      fail(`${path}.selectionBehavior`, 'is required when there are suggestions');
    suggestions.forEach((suggestion, i) => checkSuggestion(suggestion, `${path}.suggestions[${i}]`, fail));
  }
  ((card.overrideReasons as Json[] | undefined) ?? []).forEach((reason, i) => {
    for (const field of ['system', 'code', 'display']) {
      if (typeof reason[field] !== 'string') fail(`${path}.overrideReasons[${i}].${field}`, 'is required');
    }
  });
  ((card.links as Json[] | undefined) ?? []).forEach((link, i) => {
    if (typeof link.label !== 'string') fail(`${path}.links[${i}].label`, 'is required');
    if (!isAbsoluteUrl(link.url)) fail(`${path}.links[${i}].url`, 'must be an absolute URL');
    if (!LINK_TYPES.has(link.type as string)) fail(`${path}.links[${i}].type`, 'must be absolute or smart');
    if (link.appContext !== undefined && link.type !== 'smart')
      fail(`${path}.links[${i}].appContext`, 'is only allowed on smart links');
  });
}

function checkSuggestion(suggestion: Json, path: string, fail: Fail): void {
  if (typeof suggestion.label !== 'string') fail(`${path}.label`, 'is required');
  if (typeof suggestion.uuid !== 'string') fail(`${path}.uuid`, 'is required (feedback needs it)');
  ((suggestion.actions as Json[] | undefined) ?? []).forEach((action, i) =>
    checkAction(action, `${path}.actions[${i}]`, fail),
  );
}

function checkAction(action: Json, path: string, fail: Fail): void {
  if (!ACTION_TYPES.has(action.type as string)) fail(`${path}.type`, 'must be create, update or delete (lower case)');
  if (typeof action.description !== 'string') fail(`${path}.description`, 'is required');
  if (action.type === 'delete') {
    if (typeof action.resourceId !== 'string' || !/^[A-Za-z]+\/[A-Za-z0-9\-.]+$/.test(action.resourceId)) {
      fail(`${path}.resourceId`, 'must be a relative reference (Type/id) for delete');
    }
  } else {
    const resource = action.resource as Json | undefined;
    if (typeof resource !== 'object' || resource === null) fail(`${path}.resource`, 'must be a FHIR resource object');
    else if (typeof resource.resourceType !== 'string' || typeof resource.id !== 'string')
      fail(`${path}.resource`, 'needs resourceType and id');
  }
}

/** No nulls, empty strings, arrays or objects anywhere, except the top-level `cards: []`. */
function findNullsAndEmpties(value: unknown, path: string, isRoot: boolean, fail: Fail): void {
  if (value === null) return fail(path, 'must not be null; omit the field');
  if (value === '') return fail(path, 'must not be an empty string; omit the field');
  if (Array.isArray(value)) {
    if (value.length === 0 && !(path === 'cards')) fail(path, 'must not be an empty array; omit the field');
    value.forEach((item, i) => findNullsAndEmpties(item, `${path}[${i}]`, false, fail));
    return;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Json).filter(([, v]) => v !== undefined);
    if (entries.length === 0 && !isRoot) fail(path, 'must not be an empty object; omit the field');
    for (const [key, child] of entries) findNullsAndEmpties(child, path ? `${path}.${key}` : key, false, fail);
  }
}

function isAbsoluteUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
