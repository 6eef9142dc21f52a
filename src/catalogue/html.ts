/**
 * A tiny, escape-by-default HTML builder for the server-rendered catalogue. Rule text is data written by
 * informaticists: every interpolated value is escaped unless it is already SafeHtml built by this module.
 */

export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] as string);
}

/** What a template may interpolate: text (escaped), SafeHtml (as is), lists of either, or nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template: html`<p>${text}</p>` escapes `text`; nested html`` fragments and arrays are inserted as they are.
 * A backslash at the end of a template line joins the next line to it (JavaScript's line continuation): long page
 * lines are split that way in the source without changing the page.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] as string;
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] as string);
  });
  return new SafeHtml(out);
}

/** Fragments joined with a separator (itself escaped unless SafeHtml). */
export function join(items: readonly HtmlValue[], separator: HtmlValue = ''): SafeHtml {
  return new SafeHtml(items.map(render).join(render(separator)));
}

/** Only http(s) addresses become links: a `javascript:` or `data:` URL in a rule file stays plain text. */
function safeUrl(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** A link to an outside source, or the label alone when the address is not http(s). */
export function externalLink(label: string, url: string): SafeHtml {
  const href = safeUrl(url);
  return href
    ? html`<a href="${href}" rel="noopener noreferrer">${label}</a>`
    : html`${label} <span class="muted">(${url})</span>`;
}

/** An id usable in fragment links (#rule-…), from names already restricted to [a-z0-9-] by the schema. */
export function anchor(prefix: string, name: string): string {
  return `${prefix}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}
