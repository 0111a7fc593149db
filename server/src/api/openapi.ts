// The OpenAPI 3.1 document, made from the route list (api/routes.ts) and the schemas
// (api/schemas.ts): served at GET /api/v1/openapi.json, rendered at /api/docs.
import type { ErrorCode } from '../../../client-sdk/src/protocol';
import { STATUS } from '../http/errors';
import { componentSchemas, exampleOf, schemaOf, type JsonSchema } from './components';
import { ANY_ERRORS, PAGE_FAILURES, PATH_PARAMS, ROUTES, SITE_ERRORS, type Access, type RouteDoc } from './routes';
import { EXAMPLE } from './schemas';

const ERROR_EXAMPLES: Record<ErrorCode, string> = {
  bad_request: 'body: Too small: expected string to have >=1 characters',
  unauthorized: 'Sign in to post',
  forbidden: 'The edit window has closed',
  not_found: 'No such comment',
  conflict: 'Another moderator has already decided this comment',
  too_large: 'The comment is longer than 5000 characters',
  locked: 'Comments on this article are closed',
  rate_limited: 'Too many comments; try again in 30 s',
  unavailable: 'Temporarily unavailable, try again',
  internal: 'Something went wrong on our side; it has been logged',
};

const ACCESS: Record<Access, string> = {
  public: 'No token.',
  reader: 'Anyone; a bearer token makes the answer personal (`myReactions`).',
  'signed-in': 'A bearer token (or a guest name where the site takes guests).',
  moderator: 'A bearer token with role `moderator` or `admin`.',
  admin: 'A bearer token with role `admin`.',
};

const TAGS = [
  { name: 'threads', description: 'Articles, comment pages, posting, editing and deleting.' },
  { name: 'reactions', description: 'Reactions to comments and articles, and flags.' },
  { name: 'moderation', description: 'Queues, decisions, users, article settings and the log (role moderator or admin).' },
  { name: 'admin', description: "Export, import, and a reader's data (role admin for admin/ routes)." },
  { name: 'notifications', description: "A signed-in reader's notifications: replies, their comments published or removed." },
  { name: 'statistics', description: 'Engagement counts per minute or hour, and the busiest articles (role moderator or admin).' },
  { name: 'webhooks', description: "The site's signed webhooks and their deliveries (docs/WEBHOOKS.md)." },
  { name: 'operations', description: 'Liveness, readiness and metrics.' },
  { name: 'reference', description: 'This reference and the events reference.' },
  { name: 'pages', description: 'Pages and scripts for browsers.' },
];

/** `/comments/:id` → `/comments/{id}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z_]+)/g, '{$1}');

const paramNames = (path: string) => [...path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!);

/** The error codes a route may answer: those of its prefix and its own. */
export function errorCodes(route: RouteDoc): ErrorCode[] {
  const base = route.path.startsWith('/api/v1/sites/') ? SITE_ERRORS : ANY_ERRORS;
  // A body over HTTP_MAX_BYTES (or IMPORT_MAX_BYTES) is refused before the route runs.
  const body: ErrorCode[] = route.body ? ['too_large'] : [];
  return [...new Set([...base, ...body, ...(route.errors ?? [])])];
}

function parameters(route: RouteDoc, components: Record<string, JsonSchema>): JsonSchema[] {
  const out: JsonSchema[] = paramNames(route.path).map((name) => {
    const schema = route.params?.[name] ?? PATH_PARAMS[name];
    if (!schema) throw new Error(`${route.method} ${route.path}: no schema for path parameter ${name}`);
    return { name, in: 'path', required: true, schema: schemaOf(schema), example: exampleOf(schema) };
  });
  if (route.query) {
    const query = schemaOf(route.query);
    const id = typeof query.$ref === 'string' ? query.$ref.split('/').pop()! : undefined;
    const object = (id ? components[id] : query) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(object.properties ?? {})) {
      out.push({ name, in: 'query', required: object.required?.includes(name) ?? false, schema, ...(schema.description ? { description: schema.description } : {}) });
    }
  }
  return out;
}

function requestBody(route: RouteDoc): JsonSchema | undefined {
  const body = route.body;
  if (!body) return undefined;
  if ('contentType' in body && typeof body.contentType === 'string') {
    const raw = body as { contentType: string; description: string };
    return { required: true, description: raw.description, content: { [raw.contentType]: { schema: { type: 'string', contentMediaType: raw.contentType } } } };
  }
  const schema = body as Parameters<typeof schemaOf>[0];
  const example = exampleOf(schema);
  return { required: !route.bodyOptional, content: { 'application/json': { schema: schemaOf(schema), ...(example !== undefined ? { example } : {}) } } };
}

/** The Error component with its code narrowed to those given (a copy: the same schema). */
function errorSchema(components: Record<string, JsonSchema>, codes: ErrorCode[]): JsonSchema {
  const schema = structuredClone(components.Error) as { properties: { error: { properties: { code: JsonSchema } } } };
  schema.properties.error.properties.code = { type: 'string', enum: codes };
  return schema as unknown as JsonSchema;
}

function responses(route: RouteDoc, components: Record<string, JsonSchema>): JsonSchema {
  const out: JsonSchema = {};
  for (const [status, answer] of Object.entries(route.ok)) {
    const res: JsonSchema = { description: answer.description };
    if (answer.headers) res.headers = Object.fromEntries(Object.entries(answer.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]));
    if (answer.schema) {
      const example = exampleOf(answer.schema);
      res.content = { [answer.contentType ?? 'application/json']: { schema: schemaOf(answer.schema), ...(example !== undefined ? { example } : {}) } };
    } else if (answer.contentType) {
      res.content = { [answer.contentType]: { schema: answer.contentType === 'application/json' ? { type: 'object' } : {} } };
    }
    out[status] = res;
  }
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodes(route)) byStatus.set(STATUS[code], [...(byStatus.get(STATUS[code]) ?? []), code]);
  for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    out[status] = {
      description: `Error ${codes.map((c) => `\`${c}\``).join(', ')}.${codes.includes('rate_limited') ? ' `Retry-After` says when to try again.' : ''}`,
      content: {
        'application/json': {
          schema: errorSchema(components, codes),
          examples: Object.fromEntries(codes.map((code) => [code, { value: { error: { code, message: ERROR_EXAMPLES[code], ...(code === 'rate_limited' ? { retryAfter: 30 } : {}) } } }])),
        },
      },
    };
  }
  if (route.tag === 'pages') {
    for (const [status, description] of Object.entries(PAGE_FAILURES)) {
      const known = out[status] as JsonSchema | undefined;
      out[status] = { description: known ? `${known.description} ${description}` : description, content: { ...(known?.content as JsonSchema), 'text/plain': { schema: { type: 'string' } } } };
    }
  }
  return out;
}

function operation(route: RouteDoc, components: Record<string, JsonSchema>): JsonSchema {
  const op: JsonSchema = {
    operationId: `${route.method}${openApiPath(route.path).replace(/^\/api\/v1\/sites\/\{site\}/, '').replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase()) || 'Root'}`,
    tags: [route.tag],
    summary: route.summary,
    description: [route.description, `**Access:** ${ACCESS[route.access]}`].filter(Boolean).join('\n\n'),
    'x-charcha-access': route.access,
    parameters: parameters(route, components),
    responses: responses(route, components),
  };
  const body = requestBody(route);
  if (body) op.requestBody = body;
  if (route.access === 'signed-in' || route.access === 'moderator' || route.access === 'admin') op.security = [{ bearer: [] }];
  else if (route.access === 'reader') op.security = [{}, { bearer: [] }];
  else op.security = [];
  return op;
}

export function buildOpenApi(routes: RouteDoc[] = ROUTES): JsonSchema {
  const components = componentSchemas();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const item = (paths[path] ??= {});
    if (item[route.method]) throw new Error(`${route.method.toUpperCase()} ${route.path} is listed twice`);
    item[route.method] = operation(route, components);
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Charcha',
      version: '1',
      summary: 'Real-time comments and engagement for news sites',
      description:
        `Made from the schemas the server validates with; the Socket.IO events are in [asyncapi.json](/api/v1/asyncapi.json). ` +
        `Concepts (seq, caching, tokens on open sockets, guests) are in docs/API.md. Text is UTF-8, stored NFC; Hindi comes back as sent, e.g. “${EXAMPLE.author}: ${EXAMPLE.body}”.`,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'This server' }],
    tags: TAGS,
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "HS256, signed with the site's secret; claims sub, name, exp, role?, picture?, aud?." },
      },
    },
  };
}

let cached: string | undefined;
/** The document as served (made once per process). */
export function openApiJson(): string {
  return (cached ??= JSON.stringify(buildOpenApi()));
}
