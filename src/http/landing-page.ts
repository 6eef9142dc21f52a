import fs from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import MarkdownIt from 'markdown-it';
import { CATALOGUE_CSP } from '../catalogue/catalogue-route';
import { html } from '../catalogue/html';
import { PROJECT_ROOT } from '../project-root';
import { SERVICE_VERSION } from '../version';

/** GET /: what this service is and where to go from here (the sandbox only when `spine-cds sandbox` runs). */
export function landingHandler(sandboxPath: string | undefined): RequestHandler {
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>spine-cds</title>
        <link rel="icon" href="data:," />
        <style>
          body {
            font:
              15px/1.5 system-ui,
              sans-serif;
            max-width: 44rem;
            margin: 2rem auto;
            padding: 0 1rem;
            color: #1d2329;
          }
          code {
            background: #f3f4f6;
            padding: 0 0.2rem;
          }
          li {
            margin: 0.3rem 0;
          }
        </style>
      </head>
      <body>
        <h1>spine-cds <small>${SERVICE_VERSION}</small></h1>
        <p>
          A CDS Hooks 2.0 service for low back pain: red flags, contraindications and the stepped pathway, as cards.
        </p>
        <ul>
          ${
            sandboxPath
              ? html`<li><a id="sandbox-link" href="${sandboxPath}/">EHR simulator</a>: \
pick an example patient, fire a hook, see the cards</li>`
              : ''
          }
          <li>
            <a href="/cds-services">Discovery</a> (<code>GET /cds-services</code>): the services and their prefetch
          </li>
          <li>
            <a href="/rules">Rule catalogue</a>: every live rule in words, its evidence, the pathway, the ValueSets
          </li>
          <li><a href="/healthz">Health</a> and <a href="/readyz">readiness</a> (rule-set version)</li>
          <li><a href="/openapi.json">OpenAPI description</a> of these endpoints</li>
          <li>
            <a href="/docs">Documentation</a> (the README: configuration, security, the CDS Hooks Sandbox walkthrough)
          </li>
        </ul>
      </body>
    </html>`.toString();
  return htmlPage(page);
}

/** GET /docs: the README, rendered without raw HTML (markdown-it escapes it). */
export function docsHandler(): RequestHandler {
  const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  const body = new MarkdownIt({ html: false }).render(readme);
  return htmlPage(
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>spine-cds documentation</title>' +
      `<link rel="icon" href="data:,"><style>${DOCS_STYLE}</style></head><body>${body}</body></html>`,
  );
}

const DOCS_STYLE = [
  'body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}',
  'pre{background:#f6f8fa;padding:.6rem;overflow:auto}',
  'table{border-collapse:collapse}',
  'td,th{border:1px solid #d0d7de;padding:.2rem .4rem}',
].join('');

function htmlPage(page: string): RequestHandler {
  return (_req, res) => {
    res.setHeader('Content-Security-Policy', CATALOGUE_CSP);
    res.type('html').send(page);
  };
}
