import type { AnalyticsReport, Counts, RuleAnalytics } from '../ledger/analytics';
import type { RuleSet } from '../rules/load-rule-set';
import { CATALOGUE_CSS } from './catalogue-style';
import { anchor, html, SafeHtml } from './html';
import { catalogueAnchor } from './render-card-groups';

const ANALYTICS_CSS = `
main.layout-single { padding: 24px 32px 64px; max-width: 1500px; }
table.figures { border-collapse: collapse; background: var(--paper); border: 1px solid var(--line);
  margin: 8px 0 16px; font-size: 0.9rem; }
table.figures th, table.figures td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: right; }
table.figures th:first-child, table.figures td:first-child { text-align: left; }
.bar { display: inline-block; height: 10px; background: var(--accent); vertical-align: middle; }
article.rule-figures { background: var(--paper); border: 1px solid var(--line); border-radius: 10px;
  padding: 12px 18px; margin: 0 0 18px; }
`;

/** GET /rules/analytics as a page: per rule, what clinicians did with its cards. No script; inline styles only. */
export function analyticsHtml(report: AnalyticsReport, ruleSet: RuleSet): string {
  const reasonNames = new Map(
    Object.values(ruleSet.overrideReasons)
      .flat()
      .map((coding) => [coding.code, coding.display ?? coding.code]),
  );
  const reasonLabel = (code: string | null) => (code === null ? 'no reason given' : (reasonNames.get(code) ?? code));
  return html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Card feedback analytics · spine-cds</title>
        <link rel="icon" href="data:," />
        <style>
          ${new SafeHtml(CATALOGUE_CSS + ANALYTICS_CSS)}
        </style>
      </head>
      <body>
        <header class="page-header">
          <h1>Card feedback analytics</h1>
          <p>
            Cards issued since ${report.since.slice(0, 10)} and what clinicians did with them, per rule (${report.store}
            ledger). Acceptance rate: accepted ÷ (accepted + overridden).
          </p>
        </header>
        <main class="layout-single">
          <section id="summary">
            <p>
              <span id="feedback-entries">${report.feedbackEntries}</span> feedback entries stored;
              <span id="unmatched-feedback">${report.unmatchedFeedback}</span> about cards this ledger does not know
              (older than the retention, or from another deployment). <a href="/rules">Rule catalogue</a> ·
              <a href="/rules/analytics?format=json">JSON</a>
            </p>
            ${
              report.rules.length === 0
                ? html`<p class="muted" id="no-cards">No card has been issued in this period.</p>`
                : html`<table class="figures" id="rule-table">
                    <thead>
                      <tr>
                        ${countHeaders('Rule')}
                      </tr>
                    </thead>
                    <tbody>
                      ${report.rules.map(
                        (rule) =>
                          html`<tr data-rule="${rule.rule}">
                            <td><a href="#${anchor('figures', rule.rule)}">${rule.rule}</a></td>
                            ${countCells(rule)}
                          </tr>`,
                      )}
                    </tbody>
                  </table>`
            }
          </section>
          ${report.rules.map((rule) => ruleSection(rule, reasonLabel, ruleSet))}
        </main>
      </body>
    </html>`.value;
}

function ruleSection(rule: RuleAnalytics, reasonLabel: (code: string | null) => string, ruleSet: RuleSet): SafeHtml {
  const busiest = Math.max(1, ...rule.weeks.map((week) => week.shown));
  return html`<article class="rule-figures" id="${anchor('figures', rule.rule)}">
    <h2><a class="rule-name" href="/rules#${catalogueAnchor(rule.rule, ruleSet)}">${rule.rule}</a></h2>
    <h3>Override reasons</h3>
    ${
      rule.overrideReasons.length === 0
        ? html`<p class="muted">None overridden.</p>`
        : html`<ul class="override-reasons">
            ${rule.overrideReasons.map((reason) => html`<li>${reasonLabel(reason.reason)}: ${reason.cards}</li>`)}
          </ul>`
    }
    <h3>By rule-set version</h3>
    <table class="figures versions">
      <thead>
        <tr>
          ${countHeaders('Rule-set version')}
        </tr>
      </thead>
      <tbody>
        ${rule.versions.map(
          (version) =>
            html`<tr>
              <td><code>${version.ruleSetVersion}</code></td>
              ${countCells(version)}
            </tr>`,
        )}
      </tbody>
    </table>
    <h3>Weekly trend</h3>
    <table class="figures weeks">
      <thead>
        <tr>
          ${countHeaders('Week of')}
          <th>Cards shown</th>
        </tr>
      </thead>
      <tbody>
        ${rule.weeks.map(
          (week) =>
            html`<tr>
              <td>${week.weekStart}</td>
              ${countCells(week)}
              <td>
                <span class="bar" style="width: ${Math.round((week.shown / busiest) * 120)}px"></span>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </article>`;
}

function countHeaders(first: string): SafeHtml {
  return html`<th>${first}</th>
    <th>Shown</th>
    <th>Accepted</th>
    <th>Overridden</th>
    <th>No response</th>
    <th>Acceptance rate</th>`;
}

function countCells(counts: Counts): SafeHtml {
  return html`<td class="shown">${counts.shown}</td>
    <td class="accepted">${counts.accepted}</td>
    <td class="overridden">${counts.overridden}</td>
    <td class="no-response">${counts.noResponse}</td>
    <td class="rate">${counts.acceptanceRate === null ? '–' : `${Math.round(counts.acceptanceRate * 100)} %`}</td>`;
}
