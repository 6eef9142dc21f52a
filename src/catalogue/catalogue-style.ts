/**
 * The catalogue's only stylesheet, inlined (the page's CSP allows inline styles and nothing else). A long rule has
 * one declaration per source line; the trailing backslashes join those lines, so the page gets one rule per line.
 */
export const CATALOGUE_CSS = `
:root {
  --ink: #1d2433; --muted: #5b6577; --line: #d9dee7; --paper: #ffffff; --wash: #f5f7fa;
  --critical: #b42318; --critical-bg: #fef3f2; --warning: #a15c07; --warning-bg: #fffaeb;
  --info: #1d5fc4; --info-bg: #eff5ff; --accent: #0e6e6e;
}
* { box-sizing: border-box; }
html { scroll-behavior: smooth; }
body {\
 margin: 0;\
 font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;\
 color: var(--ink);\
 background: var(--wash); }
code, .rule-name, .param, .vs-id {\
 font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;\
 font-size: 0.9em; }
a { color: var(--info); }
a:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.muted { color: var(--muted); }
.page-header { background: #16324f; color: #fff; padding: 20px 32px 18px; }
.page-header h1 { margin: 0 0 4px; font-size: 1.6rem; font-weight: 650; }
.page-header p { margin: 0; color: #d6e2f0; }
.rejected-reload { background: #fdecea; border-left: 6px solid #b3261e; padding: 12px 32px; }
.rejected-reload h2 { margin: 0 0 6px; font-size: 1.15rem; color: #8c1d18; }
.version {\
 display: inline-block;\
 margin-left: 8px;\
 padding: 2px 10px;\
 border-radius: 999px;\
 background: #fff;\
 color: #16324f;\
 font: 600 0.85rem ui-monospace, monospace;\
 vertical-align: middle; }
.layout {\
 display: grid;\
 grid-template-columns: 250px minmax(0, 1fr);\
 gap: 28px;\
 padding: 24px 32px 64px;\
 max-width: 1500px; }
nav.toc {\
 position: sticky;\
 top: 16px;\
 align-self: start;\
 max-height: calc(100vh - 32px);\
 overflow: auto;\
 font-size: 0.9rem;\
 background: var(--paper);\
 border: 1px solid var(--line);\
 border-radius: 10px;\
 padding: 14px 16px; }
nav.toc h2 {\
 font-size: 0.8rem;\
 text-transform: uppercase;\
 letter-spacing: 0.06em;\
 color: var(--muted);\
 margin: 0 0 8px; }
nav.toc ol { list-style: none; margin: 0; padding: 0; }
nav.toc li { margin: 3px 0; }
nav.toc ol.toc-rules { font-size: 0.8rem; border-left: none; margin: 2px 0 6px; padding-left: 10px; }
nav.toc ol.toc-rules li { margin: 1px 0; }
nav.toc ol ol { padding-left: 12px; border-left: 2px solid var(--line); margin: 4px 0 8px 4px; }
nav.toc a { text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
main > section { margin-bottom: 40px; }
main h2 { font-size: 1.35rem; margin: 0 0 6px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
.section-intro { color: var(--muted); margin: 6px 0 16px; max-width: 70em; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 0.9rem; margin: 0 0 14px; }
.dot {\
 display: inline-block;\
 width: 10px;\
 height: 10px;\
 border-radius: 50%;\
 margin-right: 6px;\
 vertical-align: baseline;\
 background: var(--muted); }
.dot.critical { background: var(--critical); }\
 .dot.warning { background: #dc8a0e; }\
 .dot.info { background: var(--info); }

/* Pathway diagram */
figure.pathway {\
 margin: 0;\
 background: var(--paper);\
 border: 1px solid var(--line);\
 border-radius: 12px;\
 padding: 18px; }
ol.steps {\
 list-style: none;\
 margin: 0;\
 padding: 0;\
 display: grid;\
 grid-template-columns: repeat(5, minmax(0, 1fr));\
 gap: 30px; }
li.step {\
 position: relative;\
 background: linear-gradient(#f1f7f7, #fff 60px);\
 border: 2px solid var(--accent);\
 border-radius: 10px;\
 padding: 10px 12px;\
 font-size: 0.88rem; }
li.step + li.step::before {\
 content: "";\
 position: absolute;\
 left: -29px;\
 top: 22px;\
 width: 22px;\
 height: 3px;\
 background: var(--accent); }
li.step + li.step::after {\
 content: "";\
 position: absolute;\
 left: -11px;\
 top: 17px;\
 border: 6.5px solid transparent;\
 border-left: 9px solid var(--accent); }
.step-head {\
 display: flex;\
 align-items: center;\
 gap: 6px;\
 color: var(--accent);\
 font-size: 0.72rem;\
 font-weight: 700;\
 text-transform: uppercase;\
 letter-spacing: 0.06em; }
.step-no {\
 flex: none;\
 width: 22px;\
 height: 22px;\
 font-size: 0.8rem;\
 border-radius: 50%;\
 background: var(--accent);\
 color: #fff;\
 display: grid;\
 place-items: center;\
 font-weight: 700; }
.step-title { display: block; margin-top: 4px; font-weight: 700; font-size: 1.02rem; line-height: 1.2; }
.step-note { margin: 4px 0 8px; color: var(--muted); font-size: 0.82rem; }
.step-group { margin: 6px 0 0; }
.step-group .group-title {\
 display: block;\
 font-size: 0.72rem;\
 text-transform: uppercase;\
 letter-spacing: 0.05em;\
 color: var(--muted);\
 font-weight: 600; }
.step-group.leads .group-title { color: var(--accent); }
.step-group ul { list-style: none; margin: 2px 0 0; padding: 0; }
.rule-link { text-decoration: none; font-size: 0.84rem; overflow-wrap: anywhere; }
.step-group li { margin: 1px 0; line-height: 1.35; }
.rule-link:hover { text-decoration: underline; }
.red-flag-lane {\
 margin-top: 16px;\
 padding: 10px 12px;\
 border-radius: 8px;\
 background: var(--critical-bg);\
 border-left: 4px solid var(--critical);\
 font-size: 0.9rem; }
.inline-rules .rule-link { margin-right: 10px; white-space: nowrap; }

/* Packs and rules */
.pack { margin-bottom: 28px; }
.pack > h3 { font-size: 1.15rem; margin: 20px 0 2px; }
.pack > p { margin: 0 0 12px; color: var(--muted); max-width: 70em; }
article.rule {\
 background: var(--paper);\
 border: 1px solid var(--line);\
 border-left: 6px solid var(--info);\
 border-radius: 10px;\
 padding: 14px 18px;\
 margin: 0 0 14px; }
article.rule.warning { border-left-color: #dc8a0e; } article.rule.critical { border-left-color: var(--critical); }
.rule-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 14px; }
.rule-head h3 { margin: 0; font-size: 1.05rem; }
.badges { display: flex; flex-wrap: wrap; gap: 6px; }
.badge {\
 display: inline-block;\
 padding: 1px 8px;\
 border-radius: 999px;\
 background: #eef1f5;\
 color: #3b4556;\
 font-size: 0.75rem;\
 font-weight: 600;\
 border: 1px solid #dfe4ea; }
.badge.indicator { text-transform: uppercase; letter-spacing: 0.04em; color: #fff; border: none; }
.badge.indicator.critical { background: var(--critical); }\
 .badge.indicator.warning { background: #b76e00; }\
 .badge.indicator.info { background: var(--info); }
.badge.hook { background: #fff; font-weight: 500; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.badge.modality { background: #e3f2f2; color: var(--accent); border-color: #c5e3e3; }
.badge.recommended { background: #e7f6ec; color: #11693a; border-color: #bfe5cb; }
.description { margin: 6px 0 10px; font-size: 1rem; }
.rule-body { display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 6fr); gap: 18px; }
.rule-body h4 {\
 margin: 0 0 6px;\
 font-size: 0.75rem;\
 text-transform: uppercase;\
 letter-spacing: 0.06em;\
 color: var(--muted); }
.when { align-self: start; background: var(--wash); border-radius: 8px; padding: 10px 12px; }
.condition { margin: 0; }
.group-word { font-weight: 700; color: var(--accent); }
ul.cond { margin: 4px 0 4px; padding-left: 20px; }
ul.cond li { margin: 3px 0; }
ul.cond.none > li::marker, ul.cond.not-all > li::marker { color: var(--critical); }
.fact { border-bottom: 1px dotted #9aa4b2; }
.rel { font-weight: 700; }
.value { font-weight: 700; }
.param { color: var(--accent); font-weight: 600; }
.param-value { font-weight: 700; }
section.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: var(--info-bg); }
section.card.warning { background: var(--warning-bg); } section.card.critical { background: var(--critical-bg); }
.summary { margin: 0 0 6px; font-weight: 700; font-size: 1rem; }
.detail { margin: 0 0 8px; }
.placeholder {\
 background: #fff;\
 border: 1px dashed #9aa4b2;\
 border-radius: 4px;\
 padding: 0 4px;\
 font-style: italic;\
 text-decoration: none; }
dl.card-facts {\
 display: grid;\
 grid-template-columns: max-content minmax(0, 1fr);\
 gap: 4px 12px;\
 margin: 0;\
 font-size: 0.9rem; }
dl.card-facts dt { font-weight: 600; color: var(--muted); }
dl.card-facts dd { margin: 0; }
.strength { display: block; font-style: italic; color: var(--muted); }
ul.suggestions, ul.plain { margin: 0; padding-left: 18px; }
ul.suggestions li, ul.plain li { margin: 2px 0; }
.suggestion-label { font-weight: 600; }
ul.checks { margin: 0; padding-left: 16px; columns: 2 13em; column-gap: 20px; font-size: 0.85rem; }
ul.checks li { break-inside: avoid; margin: 0 0 2px; }

/* Tables */
table { border-collapse: collapse; width: 100%; background: var(--paper); font-size: 0.9rem; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--line); }
thead th { background: #eef1f5; font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.04em; color: #3b4556; }
td.nowrap { white-space: nowrap; }
ul.used-by { list-style: none; margin: 0; padding: 0; }
ul.used-by li { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; font-weight: 700; white-space: nowrap; }
table.parameters tr:target, article:target { outline: 3px solid #f5c242; }
.reason-set { margin-bottom: 16px; }
.reason-set h3 { font-size: 1rem; margin: 12px 0 6px; }
.reason-set td:first-child, .reason-set th:first-child { width: 16em; }
article.valueset {\
 background: var(--paper);\
 border: 1px solid var(--line);\
 border-radius: 10px;\
 padding: 12px 16px;\
 margin: 0 0 14px; }
article.valueset h3 { margin: 0; font-size: 1.05rem; }
.vs-id { font-weight: 500; color: var(--muted); margin-left: 6px; }
.vs-meta { margin: 2px 0 6px; font-size: 0.8rem; word-break: break-all; }
.vs-description { margin: 0 0 8px; font-size: 0.9rem; max-width: 80em; }
.vs-used { margin: 0 0 8px; font-size: 0.9rem; }
.vs-index {\
 columns: 4 14em;\
 font-size: 0.85rem;\
 background: var(--paper);\
 border: 1px solid var(--line);\
 border-radius: 10px;\
 padding: 10px 16px;\
 margin: 0 0 16px;\
 list-style: none; }
.vs-index li { break-inside: avoid; margin: 1px 0; }
table.codes td:first-child { white-space: nowrap; width: 8em; color: var(--muted); }
table.codes td:nth-child(2) { white-space: nowrap; width: 9em; }
tr.family td { background: #f7fbf7; }

@media (max-width: 1100px) {
  .layout { grid-template-columns: minmax(0, 1fr); padding: 16px; }
  nav.toc { position: static; max-height: none; }
  nav.toc ol.toc-rules { display: none; }
  .rule-body { grid-template-columns: minmax(0, 1fr); }
  ol.steps { grid-template-columns: minmax(0, 1fr); gap: 26px; }
  li.step + li.step::before { left: 30px; top: -25px; width: 3px; height: 18px; }
  li.step + li.step::after {\
 left: 24.5px;\
 top: -10px;\
 border: 7.5px solid transparent;\
 border-top: 9px solid var(--accent); }
}
@media print {
  nav.toc { display: none; } .layout { display: block; } body { background: #fff; }
  article.rule, article.valueset { break-inside: avoid; }
}
`;
