// The read baseline: a bare Express route serving the very bytes Charcha answered, from
// memory: no identity, no read model, no database. Env: PORT, HOST, and BODIES: a JSON file
// mapping a path (e.g. /article) to the JSON text to answer it with.
import { readFileSync } from 'node:fs';
import express from 'express';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
const bodies = JSON.parse(readFileSync(process.env.BODIES!, 'utf8')) as Record<string, string>;

const app = express();
app.get('/healthz', (_req, res) => void res.status(200).end());
for (const [path, json] of Object.entries(bodies)) {
  app.get(path, (_req, res) => void res.type('application/json').send(json));
}
const server = app.listen(port, host, () => process.stdout.write(`bare express listening on ${host}:${port}\n`));
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
