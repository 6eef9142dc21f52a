import { html, type SafeHtml } from '../catalogue/html';
import type { ExamplePatient } from './example-patients';
import { DRAFT_ORDER_KINDS, PREFETCH_MODES } from './hook-requests';

export interface SimulatorPageOptions {
  patients: ExamplePatient[];
  fhirBaseUrl: string;
  /** Whether the service requires a JWT (sandbox started with --auth): signing is then on by default. */
  authRequired: boolean;
}

/** The EHR simulator: the form is server-rendered; simulator.js fires the hooks and renders the cards. */
export function simulatorPage({ patients, fhirBaseUrl, authRequired }: SimulatorPageOptions): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>spine-cds sandbox: EHR simulator</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="simulator.css" />
        <script src="vendor/markdown-it.umd.min.js" defer></script>
        <script src="simulator.js" defer></script>
      </head>
      <body>
        <header>
          <h1>spine-cds sandbox <span class="muted">EHR simulator</span></h1>
          <nav>
            <a href="/">service home</a> · <a href="/cds-services">discovery</a> · \
<a href="/rules">rule catalogue</a> ·
            FHIR server <code id="fhir-server">${fhirBaseUrl}</code>
          </nav>
        </header>
        <form id="call-form">
          <fieldset>
            <legend>Patient</legend>
            <select id="patient" name="patient" size="8">
              ${patients.map(
                (patient, i) =>
                  html`<option value="${patient.id}" ${i === 0 ? 'selected' : ''}>
                    ${displayName(patient)}: ${patient.story}
                  </option>`,
              )}
            </select>
          </fieldset>
          <fieldset class="row">
            <label
              >Hook
              <select id="hook" name="hook">
                <option value="patient-view">patient-view (chart opened)</option>
                <option value="order-select">order-select (order picked)</option>
                <option value="order-sign">order-sign (orders signed)</option>
              </select></label
            >
            <label
              >Draft order
              <select id="order" name="order">
                ${DRAFT_ORDER_KINDS.map((kind) => html`<option value="${kind.key}">${kind.label}</option>`)}
              </select></label
            >
            <label
              >Prefetch
              <select id="prefetch" name="prefetch">
                ${PREFETCH_MODES.map((mode) => html`<option value="${mode}">${PREFETCH_LABELS[mode]}</option>`)}
              </select></label
            >
            <label
              ><input type="checkbox" id="sign" name="sign" ${authRequired ? 'checked' : ''} /> sign with the
              development key (JWT)</label
            >
            <button type="submit" id="fire">Fire hook</button>
          </fieldset>
        </form>
        <p id="status" role="status"></p>
        <main>
          <section id="cards-pane">
            <h2>Cards</h2>
            <div id="cards"></div>
            <div id="feedback"></div>
          </section>
          <section>
            <h2>Request <span id="request-timing" class="muted"></span></h2>
            <pre id="request"></pre>
          </section>
          <section>
            <h2>Response <span id="response-timing" class="muted"></span></h2>
            <pre id="response"></pre>
          </section>
        </main>
      </body>
    </html>`;
}

const PREFETCH_LABELS: Record<(typeof PREFETCH_MODES)[number], string> = {
  full: 'full: every prefetch key',
  partial: 'partial: Patient and Conditions only',
  none: 'none: the service reads the FHIR server',
};

function displayName(patient: ExamplePatient): string {
  const name = (patient.resources[0] as { name?: Array<{ given?: string[]; family?: string }> }).name?.[0];
  return [...(name?.given ?? []), name?.family].filter(Boolean).join(' ') || patient.id;
}
