// The reference, served: GET /api/v1/openapi.json, GET /api/v1/asyncapi.json, and the page
// /api/docs, which renders the OpenAPI document with Swagger UI from our own copy
// (swagger-ui-dist in node_modules: no CDN; its scripts are same-origin, so the site's CSP,
// script-src 'self', holds).
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import express, { Router } from 'express';
import { asyncApiJson } from './asyncapi';
import { openApiJson } from './openapi';

const UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The viewer's files we serve (nothing else of the package). */
const UI_FILE = /^(swagger-ui\.css|swagger-ui-bundle\.js|favicon-(16x16|32x32)\.png)$/;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Charcha API reference</title>
<link rel="stylesheet" href="/api/docs/ui/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/docs/ui/favicon-32x32.png">
</head>
<body>
<main id="reference"></main>
<script src="/api/docs/ui/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.charchaReference = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#reference',
  deepLinking: true,
  defaultModelsExpandDepth: 0,
  displayOperationId: false,
  tryItOutEnabled: false,
});
`;

export function referenceRouter(): Router {
  const r = Router();
  const json = (body: () => string) => (_req: express.Request, res: express.Response) => {
    res.set('Cache-Control', 'no-cache').type('application/json').send(body());
  };
  r.get('/api/v1/openapi.json', json(openApiJson));
  r.get('/api/v1/asyncapi.json', json(asyncApiJson));
  r.get('/api/docs', (_req, res) => void res.set('Cache-Control', 'no-cache').type('html').send(PAGE));
  r.get('/api/docs/init.js', (_req, res) => void res.set('Cache-Control', 'no-cache').type('text/javascript').send(INIT));
  r.get('/api/docs/ui/:file', (req, res, next) => {
    if (!UI_FILE.test(req.params.file)) return next();
    res.sendFile(req.params.file, { root: UI_DIR, maxAge: '1h' }, (err) => err && next());
  });
  return r;
}
