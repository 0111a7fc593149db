// Every answer a test gets is checked against the reference (the OpenAPI and AsyncAPI
// documents the server serves), whichever client the test uses: loaded for every run by
// .mocharc.json (`require`), it wraps `fetch` (tests/helpers/clients.ts's `http` and the
// tests' own calls), socket.io-client's sockets (events and acknowledgements received) and
// the server's broadcasts (event names). A mismatch fails the test that met it, in its
// afterEach, naming what did not match.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Namespace, Socket as ServerSocket } from 'socket.io';
import { Socket as ClientSocket } from 'socket.io-client';
import { buildAsyncApi, messageId } from '../../server/src/api/asyncapi';
import { EVENTS } from '../../server/src/api/events';
import { buildOpenApi } from '../../server/src/api/openapi';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

type Json = Record<string, any>;

export const openApi = buildOpenApi() as Json;
export const asyncApi = buildAsyncApi() as Json;

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
ajv.addSchema(openApi, 'openapi');
ajv.addSchema(asyncApi, 'asyncapi');

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const compiled = new Map<string, ValidateFunction>();
function validator(ref: string): ValidateFunction {
  let v = compiled.get(ref);
  if (!v) compiled.set(ref, (v = ajv.compile({ $ref: ref })));
  return v;
}
const describeErrors = (v: ValidateFunction) =>
  (v.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${e.params.additionalProperty})` : ''}`)
    .join('; ');

// ---------------------------------------------------------------- what went wrong, per test

const violations: string[] = [];
/** How many answers, events and acknowledgements were checked in this process. */
export const checked = { http: 0, events: 0, acks: 0 };
const pending = new Set<Promise<void>>();

export function violation(what: string): void {
  violations.push(what);
}

/** Waits for the checks of answers still being read, then hands over what went wrong. */
export async function takeViolations(): Promise<string[]> {
  if (pending.size) await Promise.race([Promise.allSettled([...pending]), new Promise((r) => setTimeout(r, 5000).unref())]);
  return violations.splice(0);
}

export const mochaHooks = {
  afterAll() {
    if (process.env.CONTRACT_STATS) console.log(`  checked against the reference: ${checked.http} HTTP answers, ${checked.events} events, ${checked.acks} acks`);
  },
  async afterEach(this: Mocha.Context) {
    const found = await takeViolations();
    if (found.length) {
      throw new Error(`answers that do not match the API reference (server/src/api/):\n  - ${[...new Set(found)].join('\n  - ')}`);
    }
  },
};

// ---------------------------------------------------------------- HTTP

interface Operation {
  method: string;
  template: string;
  match: RegExp;
  op: Json;
}
const operations: Operation[] = Object.entries(openApi.paths as Json).flatMap(([template, item]) =>
  Object.entries(item as Json).map(([method, op]) => ({
    method,
    template,
    op: op as Json,
    match: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  })),
);

/** The documented operation for a method and path, or why there is none. */
export function findOperation(method: string, path: string): Operation | 'no-path' | 'no-method' {
  const onPath = operations.filter((o) => o.match.test(path));
  if (!onPath.length) return 'no-path';
  return onPath.find((o) => o.method === method) ?? 'no-method';
}

/** Checks one HTTP answer; returns what is wrong with it, if anything. */
export function checkHttpAnswer(method: string, path: string, status: number, contentType: string | null, text: string): string | undefined {
  const where = `${method.toUpperCase()} ${path} → ${status}`;
  const found = findOperation(method, path);
  const isJson = !!contentType && /^application\/json\b/.test(contentType);
  let body: unknown;
  if (isJson && text) {
    try {
      body = JSON.parse(text);
    } catch {
      return `${where}: the body is not JSON`;
    }
  }
  if (typeof found === 'string') {
    // Not a documented operation: only "no such route" may answer it.
    if (!path.startsWith('/api/')) return undefined;
    if (status === 404 && isJson && validator('openapi#/components/schemas/Error')(body) && (body as Json).error.code === 'not_found') return undefined;
    return `${where}: ${found === 'no-path' ? 'the path' : 'the method'} is not in the reference`;
  }
  const answer = found.op.responses?.[String(status)];
  if (!answer) return `${where}: status ${status} is not documented for ${method.toUpperCase()} ${found.template}`;
  const types = Object.keys(answer.content ?? {});
  if (!types.length) return text ? `${where}: documented without a body, answered ${text.length} bytes` : undefined;
  const type = types.find((t) => t === '*/*' || contentType?.startsWith(t));
  if (!type) return `${where}: content type ${contentType} is not documented (${types.join(', ')})`;
  const schemaRef = `openapi#/${pointer('paths', found.template, method, 'responses', String(status), 'content', type, 'schema')}`;
  if (type === 'application/json') {
    const v = validator(schemaRef);
    if (!v(body)) return `${where}: ${describeErrors(v)}`;
  } else if (type === 'application/x-ndjson') {
    const v = validator(schemaRef);
    for (const line of text.split('\n').filter(Boolean)) if (!v(JSON.parse(line))) return `${where}: a line: ${describeErrors(v)}`;
  }
  return undefined;
}

const realFetch = globalThis.fetch;
const LOCAL = new Set(['127.0.0.1', 'localhost', '[::1]']);

globalThis.fetch = async function checkedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const res = await realFetch(input, init);
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toLowerCase();
  if (!LOCAL.has(url.hostname) || method === 'options' || method === 'head') return res;
  const reading = res
    .clone()
    .text()
    .then(
      (text) => {
        checked.http++;
        const wrong = checkHttpAnswer(method, url.pathname, res.status, res.headers.get('content-type'), text);
        if (wrong) violation(wrong);
      },
      () => undefined, // the test stopped reading (an aborted download): nothing to check
    )
    .finally(() => pending.delete(reading));
  pending.add(reading);
  return res;
} as typeof fetch;

// ---------------------------------------------------------------- Socket.IO: what clients receive

const serverEvents = new Map<string, Set<string>>();
const clientEvents = new Map<string, Set<string>>();
for (const e of EVENTS) {
  const into = e.from === 'server' ? serverEvents : clientEvents;
  if (!into.has(e.namespace)) into.set(e.namespace, new Set());
  into.get(e.namespace)!.add(e.name);
}

export function checkEvent(namespace: string, name: string, payload: unknown): string | undefined {
  if (!serverEvents.get(namespace)?.has(name)) return `event ${name} on ${namespace}: not in the reference`;
  const v = validator(`asyncapi#/${pointer('components', 'messages', messageId(namespace, name), 'payload', 'schema')}`);
  return v(payload) ? undefined : `event ${name} on ${namespace}: ${describeErrors(v)}`;
}

export function checkAck(namespace: string, name: string, answer: unknown): string | undefined {
  if (!clientEvents.get(namespace)?.has(name)) return undefined; // an event the server does not take: no ack to check
  const v = validator(`asyncapi#/${pointer('components', 'messages', `${messageId(namespace, name)}.ack`, 'payload', 'schema')}`);
  return v(answer) ? undefined : `ack of ${name} on ${namespace}: ${describeErrors(v)}`;
}

const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener', 'error']);
const clientProto = ClientSocket.prototype as any;

const emitEvent = clientProto.emitEvent as (args: unknown[]) => void;
clientProto.emitEvent = function (this: { nsp: string }, args: unknown[]) {
  checked.events++;
  const wrong = checkEvent(this.nsp, String(args[0]), args[1]);
  if (wrong) violation(wrong);
  return emitEvent.call(this, args);
};

// A refused handshake: `connect_error` carries the Error body in `err.data`.
const emitReserved = clientProto.emitReserved as (ev: string, ...args: unknown[]) => unknown;
clientProto.emitReserved = function (this: { nsp: string }, ev: string, ...args: unknown[]) {
  const data = (args[0] as { data?: unknown } | undefined)?.data;
  if (ev === 'connect_error' && data !== undefined) {
    checked.events++;
    const v = validator('asyncapi#/components/schemas/Error');
    if (!v(data)) violation(`connect_error on ${this.nsp}: ${describeErrors(v)}`);
  }
  return emitReserved.call(this, ev, ...args);
};

const clientEmit = clientProto.emit as (ev: string, ...args: unknown[]) => unknown;
clientProto.emit = function (this: { nsp: string; flags: { timeout?: number }; _opts: { ackTimeout?: number } }, ev: string, ...args: unknown[]) {
  const ack = args[args.length - 1];
  if (typeof ack === 'function' && !RESERVED.has(ev)) {
    const nsp = this.nsp;
    const withErr = this.flags.timeout !== undefined || this._opts.ackTimeout !== undefined;
    args[args.length - 1] = function (this: unknown, ...answer: unknown[]) {
      if (!withErr || !answer[0]) {
        checked.acks++;
        const wrong = checkAck(nsp, ev, withErr ? answer[1] : answer[0]);
        if (wrong) violation(wrong);
      }
      return (ack as (...a: unknown[]) => unknown).apply(this, answer);
    };
  }
  return clientEmit.call(this, ev, ...args);
};

// ---------------------------------------------------------------- Socket.IO: what the server sends

// Broadcasts (io.to(room).emit, nsp.emit) go through one class, which socket.io does not
// export: reach it through a namespace's `to`.
const broadcastProto = Object.getPrototypeOf((Namespace.prototype.to as (this: unknown, room: string) => object).call({ adapter: {} }, 'probe')) as {
  emit: (this: { adapter: { nsp: { name: string } } }, ev: string, ...args: unknown[]) => boolean;
};
const sentByServer = (namespace: string | undefined, ev: string) => {
  if (namespace !== undefined && !RESERVED.has(ev) && !serverEvents.get(namespace)?.has(ev)) violation(`the server sent ${ev} on ${namespace}: not in the reference`);
};
const broadcast = broadcastProto.emit;
broadcastProto.emit = function (ev: string, ...args: unknown[]) {
  sentByServer(this.adapter?.nsp?.name, ev);
  return broadcast.call(this, ev, ...args);
};
// …and an emit to one socket.
const serverProto = ServerSocket.prototype as unknown as { emit: (this: { nsp: { name: string } }, ev: string, ...args: unknown[]) => boolean };
const toOne = serverProto.emit;
serverProto.emit = function (ev: string, ...args: unknown[]) {
  sentByServer(this.nsp?.name, ev);
  return toOne.call(this, ev, ...args);
};
