// The reference is whole: every route of the Express app is in the OpenAPI document and every
// documented route exists; every event the protocol names is in the AsyncAPI document; the
// documents are served as made; and the answer checker (tests/helpers/contract.ts) refuses
// answers that do not match.
import assert from 'node:assert/strict';
import type { Express } from 'express';
import type { ArticleEventType } from '../../client-sdk/src/protocol';
import { ARTICLE_EVENT_TYPES } from '../../client-sdk/src/protocol';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { messageId } from '../../server/src/api/asyncapi';
import { EVENTS } from '../../server/src/api/events';
import { openApiPath } from '../../server/src/api/openapi';
import { exampleComment } from '../../server/src/api/schemas';
import { call, connectModerator, connectReader, http } from '../helpers/clients';
import { asyncApi, checkAck, checkEvent, checkHttpAnswer, checked, openApi, takeViolations } from '../helpers/contract';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';

type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: Layer[] }; rawPath?: string | string[] };

/** Every `METHOD /path` the app routes, walking the router stack (mount paths included). */
function expressRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.push(`${m.toUpperCase()} ${openApiPath(prefix + p)}`);
      } else if (layer.handle?.stack) {
        const raw = layer.rawPath;
        const mount = typeof raw === 'string' && raw !== '/' ? raw : '';
        if (Array.isArray(raw)) throw new Error('a router mounted at several paths: list each');
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...new Set(out)].sort();
}

function documentedRoutes(): string[] {
  return Object.entries(openApi.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

describe('API reference', function () {
  this.timeout(120_000);
  let server: TestServer;

  before(async function () {
    this.timeout(900_000);
    server = await startTestServer();
  });
  after(async () => server?.close());

  it('lists exactly the routes the Express app serves', () => {
    const app = server.app.express;
    const served = expressRoutes(app);
    const documented = documentedRoutes();
    assert.ok(served.length > 30, `walked ${served.length} routes`);
    assert.deepEqual(
      { servedButNotDocumented: served.filter((r) => !documented.includes(r)), documentedButNotServed: documented.filter((r) => !served.includes(r)) },
      { servedButNotDocumented: [], documentedButNotServed: [] },
    );
  });

  it('names every event of the protocol, and only those, on each namespace', () => {
    const names = (namespace: string, from: 'client' | 'server') => EVENTS.filter((e) => e.namespace === namespace && e.from === from).map((e) => e.name).sort();
    assert.deepEqual(names('/', 'server'), [...ARTICLE_EVENT_TYPES, 'notification', 'notification:read', 'presence'].sort());
    assert.deepEqual(names('/', 'client'), ['article:join', 'article:leave', 'auth:refresh', 'comment:delete', 'comment:edit', 'comment:post', 'reaction:set']);
    assert.deepEqual(names('/moderation', 'server'), ['queue:added', 'queue:counts', 'queue:removed', 'queue:updated']);
    assert.deepEqual(names('/moderation', 'client'), ['auth:refresh', 'decide']);
    assert.deepEqual(names('/dashboard', 'server'), ['stats:live']);
    assert.deepEqual(names('/dashboard', 'client'), ['auth:refresh']);
    const channels = Object.values(asyncApi.channels as Record<string, { address: string; messages: object }>);
    assert.deepEqual(channels.map((c) => c.address).sort(), ['/', '/dashboard', '/moderation']);
    const type: ArticleEventType = 'comment:created';
    assert.ok(asyncApi.components.messages[messageId('/', type)]);
  });

  it('both documents are valid (Redocly structural rules for OpenAPI 3.1 and AsyncAPI 3), their examples too', async () => {
    const config = await createConfig({ extends: ['minimal'] });
    for (const [name, doc] of [['openapi.json', openApi], ['asyncapi.json', asyncApi]] as const) {
      const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: `/${name}`, config });
      // Errors, and examples that do not match their schemas.
      const errors = problems.filter((p) => p.severity === 'error' || /example/i.test(p.ruleId)).map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
      assert.deepEqual(errors, [], name);
    }
  });

  it('serves both documents as made, and the reference page with its assets', async () => {
    const oa = await http(server.url, 'GET', '/api/v1/openapi.json');
    assert.equal(oa.status, 200);
    assert.deepEqual(oa.body, JSON.parse(JSON.stringify(openApi)));
    assert.equal(oa.body.openapi, '3.1.0');
    const aa = await http(server.url, 'GET', '/api/v1/asyncapi.json');
    assert.equal(aa.status, 200);
    assert.deepEqual(aa.body, JSON.parse(JSON.stringify(asyncApi)));
    assert.equal(aa.body.asyncapi, '3.0.0');
    const page = await http(server.url, 'GET', '/api/docs');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    for (const src of String(page.body).match(/(?:src|href)="(\/api\/docs\/[^"]+)"/g)!.map((m) => m.split('"')[1]!)) {
      const asset = await fetch(server.url + src);
      assert.equal(asset.status, 200, src);
      await asset.arrayBuffer();
    }
  });

  it('documents every error code a route answers, with the contract shape and a Hindi example', () => {
    const post = openApi.paths['/api/v1/sites/{site}/articles/{article}/comments'].post;
    for (const status of ['201', '200', '400', '401', '403', '404', '413', '423', '429', '500', '503']) assert.ok(post.responses[status], status);
    assert.match(JSON.stringify(post.requestBody.content['application/json'].example), /[\u0900-\u097F]/);
    assert.deepEqual(post.security, [{ bearer: [] }]);
    const list = openApi.paths['/api/v1/sites/{site}/articles/{article}/comments'].get;
    assert.deepEqual(list.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`), ['path:site', 'path:article', 'query:sort', 'query:limit', 'query:cursor', 'query:parent']);
  });

  it('every documented operation, called with its own examples, answers as documented', async () => {
    const admin = await signToken({ sub: 'ref-admin', name: 'संपादक मीरा', role: 'admin' });
    const required: Record<string, string> = { articles: 'russia-pakistan-defence-2021-09-30,lavrov-visit', format: 'charcha' };
    const answered: string[] = [];
    const made: Record<string, string> = {}; // the comment the example post made, for the routes of a comment
    for (const [template, item] of Object.entries(openApi.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(item)) {
        const params = (op.parameters ?? []) as { name: string; in: string; required: boolean; example?: string }[];
        let path = template;
        for (const p of params.filter((p) => p.in === 'path')) path = path.replace(`{${p.name}}`, encodeURIComponent(made[p.name] ?? String(p.example)));
        const query = params.filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=${encodeURIComponent(required[p.name]!)}`);
        const content = op.requestBody?.content ?? {};
        const init: RequestInit = { method: method.toUpperCase(), headers: { authorization: `Bearer ${admin}` } };
        if (content['application/json']) {
          init.body = JSON.stringify(content['application/json'].example ?? {});
          (init.headers as Record<string, string>)['content-type'] = 'application/json';
        } else if (Object.keys(content).length) {
          init.body = '{"v":1}\n';
        }
        const res = await fetch(`${server.url}${path}${query.length ? `?${query.join('&')}` : ''}`, init);
        const text = await res.text();
        if (method === 'post' && res.status === 201 && template.endsWith('/comments')) made.id = JSON.parse(text).id;
        assert.ok(res.status < 500, `${method.toUpperCase()} ${path} answered ${res.status}`);
        assert.ok(op.responses[String(res.status)], `${method.toUpperCase()} ${path} answered ${res.status}, not documented`);
        answered.push(`${method.toUpperCase()} ${template} ${res.status}`);
      }
    }
    if (process.env.CONTRACT_STATS) console.log(answered.map((a) => `      ${a}`).join('\n'));
    // The examples are requests the server takes: a Hindi comment posted, a user banned, …
    assert.ok(answered.includes('POST /api/v1/sites/{site}/articles/{article}/comments 201'), answered.join('\n'));
    assert.ok(answered.includes('POST /api/v1/sites/{site}/moderation/users/{userId} 200'), answered.join('\n'));
    assert.ok(answered.includes('PATCH /api/v1/sites/{site}/comments/{id} 200'), answered.join('\n'));
    assert.ok(answered.includes('PUT /api/v1/sites/{site}/moderation/articles/{article} 200'), answered.join('\n'));
    assert.deepEqual(await takeViolations(), []);
  });

  it('every client event, sent with its own example, is acknowledged as documented', async () => {
    const token = await signToken({ sub: 'ref-events', name: 'सुनीता' });
    const reader = await connectReader(server.url, { token });
    const modToken = await signToken({ sub: 'ref-events-mod', name: 'संपादक', role: 'moderator' });
    const mod = await connectModerator(server.url, modToken);
    const dashboard = await connectModerator(server.url, modToken, 'demo', '/dashboard');
    try {
      const sockets: Record<string, { emit: (...args: any[]) => unknown }> = { '/': reader, '/moderation': mod, '/dashboard': dashboard };
      const before = checked.acks;
      // Every example in the events document is what its schema takes.
      for (const event of EVENTS) {
        const message = asyncApi.components.messages[messageId(event.namespace, event.name)];
        assert.ok(event.payload.safeParse(message.examples?.[0]?.payload).success, `the example of ${event.name} on ${event.namespace}`);
        const ack = asyncApi.components.messages[`${messageId(event.namespace, event.name)}.ack`];
        if (event.ack) assert.ok(event.ack.safeParse(ack.examples?.[0]?.payload).success, `the ack example of ${event.name} on ${event.namespace}`);
      }
      const clientEvents = EVENTS.filter((e) => e.from === 'client');
      for (const event of clientEvents) {
        const example = asyncApi.components.messages[messageId(event.namespace, event.name)].examples[0].payload;
        const answer = await call(sockets[event.namespace]!, event.name, example);
        assert.ok(answer && typeof answer === 'object', `${event.name} answered ${JSON.stringify(answer)}`);
      }
      assert.equal(checked.acks - before, clientEvents.length);
      assert.deepEqual(await takeViolations(), []);
    } finally {
      reader.disconnect();
      mod.disconnect();
      dashboard.disconnect();
    }
  });

  it('the checker refuses answers, events and acks that do not match, and has checked real ones', async () => {
    const token = await signToken({ sub: 'ref-reader', name: 'रमेश साहू' });
    const posted = await http(server.url, 'POST', '/api/v1/sites/demo/articles/ref-1/comments', { token, body: { body: 'नमस्ते दुनिया', clientId: 'ref-1' } });
    assert.equal(posted.status, 201);
    const reader = await connectReader(server.url, { token });
    const mod = await connectModerator(server.url, await signToken({ sub: 'ref-mod', name: 'संपादक', role: 'moderator' }));
    try {
      const before = { ...checked };
      const join = await call(reader, 'article:join', { article: 'ref-1' });
      assert.equal(join.seq, 1);
      const created = new Promise((resolve) => reader.once('comment:created', resolve));
      await http(server.url, 'POST', '/api/v1/sites/demo/articles/ref-1/comments', { token, body: { body: 'दूसरी टिप्पणी', clientId: 'ref-2' } });
      await created;
      assert.ok(checked.acks > before.acks && checked.events > before.events && checked.http > before.http, JSON.stringify({ before, checked }));
      assert.deepEqual(await takeViolations(), []);
    } finally {
      reader.disconnect();
      mod.disconnect();
    }

    const good = JSON.stringify(posted.body);
    const path = '/api/v1/sites/demo/articles/ref-1/comments';
    assert.equal(checkHttpAnswer('post', path, 201, 'application/json', good), undefined);
    assert.match(checkHttpAnswer('post', path, 201, 'application/json', JSON.stringify({ ...posted.body, seq: undefined }))!, /seq/);
    assert.match(checkHttpAnswer('post', path, 201, 'application/json', JSON.stringify({ ...posted.body, extra: 1 }))!, /extra/);
    assert.match(checkHttpAnswer('post', path, 418, 'application/json', good)!, /not documented/);
    assert.match(checkHttpAnswer('post', path, 404, 'application/json', JSON.stringify({ error: { code: 'conflict', message: 'x' } }))!, /code/);
    assert.match(checkHttpAnswer('get', '/api/v1/sites/demo/nothing-here', 200, 'application/json', '{}')!, /not in the reference/);
    assert.equal(checkHttpAnswer('get', '/api/v1/sites/demo/nothing-here', 404, 'application/json', JSON.stringify({ error: { code: 'not_found', message: 'No such route' } })), undefined);
    assert.equal(checkEvent('/', 'comment:created', { ...exampleComment, seq: 3 }), undefined);
    assert.match(checkEvent('/', 'comment:created', { ...exampleComment, seq: undefined })!, /seq/);
    assert.match(checkEvent('/', 'comment:exploded', {})!, /not in the reference/);
    assert.match(checkEvent('/moderation', 'presence', { article: 'a', viewers: 1 })!, /not in the reference/);
    assert.equal(checkAck('/', 'comment:delete', {}), undefined);
    assert.equal(checkAck('/', 'comment:delete', { error: { code: 'forbidden', message: 'Not yours' } }), undefined);
    assert.match(checkAck('/', 'article:join', { seq: 'one' })!, /ack of article:join/);

    // The server sending an event the reference does not name, to a room or to one socket.
    server.app.io.to('nobody').emit('comment:exploded' as never);
    server.app.io.of('/moderation').emit('presence' as never, { article: 'a', viewers: 1 } as never);
    assert.deepEqual(await takeViolations(), ['the server sent comment:exploded on /: not in the reference', 'the server sent presence on /moderation: not in the reference']);
  });
});
