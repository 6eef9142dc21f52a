// The EHR side of the sandbox: builds a hook request (POST api/request), calls the CDS service as an EHR
// would, shows request, response and timings, renders the cards and sends feedback. Card text is Markdown
// rendered by markdown-it with raw HTML off, so nothing in a card can become markup or script.
'use strict';

const markdown = window.markdownit({ html: false, linkify: false, typographer: false });
const $ = (id) => document.getElementById(id);

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** Only http(s) links are followed; anything else is shown as text. */
function safeHref(url) {
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

function link(label, url) {
  const href = safeHref(url);
  return href ? element('a', { href, target: '_blank', rel: 'noopener noreferrer' }, label) : label;
}

async function postJson(url, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  return { response, text, ms: performance.now() - started };
}

async function tokenFor(path) {
  if (!$('sign').checked) return undefined;
  const { response, text } = await postJson('api/token', { path });
  if (!response.ok) throw new Error(`token: HTTP ${response.status} ${text}`);
  return JSON.parse(text).token;
}

function show(id, value) {
  $(id).textContent = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function showStatus(text) {
  $('status').textContent = text;
}

async function fireHook(event) {
  event.preventDefault();
  const hook = $('hook').value;
  const call = { hook, patientId: $('patient').value, prefetch: $('prefetch').value };
  if (hook !== 'patient-view') call.order = $('order').value;
  $('cards').replaceChildren();
  $('feedback').replaceChildren();
  show('response', '');
  showStatus(`Building the ${hook} request…`);
  const built = await postJson('api/request', call);
  if (!built.response.ok) {
    show('request', built.text);
    showStatus(`Could not build the request: HTTP ${built.response.status}`);
    return;
  }
  const request = JSON.parse(built.text);
  show('request', request);
  $('request-timing').textContent = `EHR prefetch (${call.prefetch}): ${built.ms.toFixed(0)} ms`;
  const servicePath = `/cds-services/spine-${hook}`;
  const answer = await postJson(servicePath, request, await tokenFor(servicePath));
  $('response-timing').textContent =
    `HTTP ${answer.response.status} in ${answer.ms.toFixed(0)} ms` +
    (answer.response.headers.get('X-Rule-Set-Version')
      ? ` · rules ${answer.response.headers.get('X-Rule-Set-Version')}`
      : '');
  show('response', answer.text ? prettyJson(answer.text) : '(empty body)');
  if (!answer.response.ok) {
    showStatus(
      `The service answered HTTP ${answer.response.status}` +
        `${answer.response.status === 401 ? ' (see the service log for why)' : ''}.`,
    );
    return;
  }
  const { cards } = JSON.parse(answer.text);
  showStatus(`${cards.length} card(s) for ${$('patient').selectedOptions[0].textContent.split(':')[0]}.`);
  $('cards').replaceChildren(
    ...(cards.length
      ? cards.map((card) => renderCard(card, servicePath))
      : [element('p', { class: 'muted' }, 'No cards.')]),
  );
}

function prettyJson(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function renderCard(card, servicePath) {
  const detail = element('div', { class: 'detail' });
  if (card.detail) detail.innerHTML = markdown.render(card.detail);
  const source = element(
    'p',
    { class: 'source' },
    'Source: ',
    card.source.url ? link(card.source.label, card.source.url) : card.source.label,
  );
  const node = element(
    'article',
    { class: `card ${card.indicator}`, 'data-indicator': card.indicator },
    element('header', {}, element('span', { class: 'indicator' }, card.indicator), element('h3', {}, card.summary)),
    detail,
    source,
  );
  if (card.suggestions?.length) {
    node.append(
      element(
        'div',
        { class: 'suggestions' },
        ...card.suggestions.map((suggestion) => {
          const button = element(
            'button',
            { type: 'button', class: suggestion.isRecommended ? 'suggestion recommended' : 'suggestion' },
            suggestion.label,
          );
          button.addEventListener('click', () =>
            sendFeedback(
              servicePath,
              { card: card.uuid, outcome: 'accepted', acceptedSuggestions: [{ id: suggestion.uuid }] },
              suggestion.label,
            ),
          );
          return button;
        }),
      ),
    );
  }
  if (card.links?.length)
    node.append(element('p', { class: 'links' }, ...card.links.flatMap((l) => [link(l.label, l.url), ' '])));
  if (card.overrideReasons?.length) node.append(overrideForm(card, servicePath));
  return node;
}

function overrideForm(card, servicePath) {
  const reasons = element(
    'select',
    { class: 'override-reason' },
    ...card.overrideReasons.map((reason, i) => element('option', { value: String(i) }, reason.display ?? reason.code)),
  );
  const comment = element('input', { type: 'text', class: 'override-comment', placeholder: 'comment (optional)' });
  const button = element('button', { type: 'button', class: 'override' }, 'Dismiss with reason');
  button.addEventListener('click', () => {
    const overrideReason = { reason: card.overrideReasons[Number(reasons.value)] };
    if (comment.value.trim()) overrideReason.userComment = comment.value.trim();
    sendFeedback(
      servicePath,
      { card: card.uuid, outcome: 'overridden', overrideReason },
      `dismissed: ${reasons.selectedOptions[0].textContent}`,
    );
  });
  return element('div', { class: 'override-row' }, reasons, comment, button);
}

async function sendFeedback(servicePath, entry, what) {
  const path = `${servicePath}/feedback`;
  const body = { feedback: [{ ...entry, outcomeTimestamp: new Date().toISOString() }] };
  const answer = await postJson(path, body, await tokenFor(path));
  $('feedback').replaceChildren(
    element('h3', {}, 'Feedback'),
    element(
      'p',
      {},
      `${what} → `,
      element('strong', { id: 'feedback-status' }, `HTTP ${answer.response.status}`),
      ` in ${answer.ms.toFixed(0)} ms`,
    ),
    element('pre', {}, JSON.stringify(body, null, 2)),
    ...(answer.text ? [element('pre', {}, prettyJson(answer.text))] : []),
  );
}

function toggleOrder() {
  $('order').disabled = $('hook').value === 'patient-view';
}

document.addEventListener('DOMContentLoaded', () => {
  $('call-form').addEventListener('submit', (event) =>
    fireHook(event).catch((error) => showStatus(`Failed: ${error.message}`)),
  );
  $('hook').addEventListener('change', toggleOrder);
  toggleOrder();
  document.body.dataset.ready = 'true';
});
