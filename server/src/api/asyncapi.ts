// The AsyncAPI 3 document of the Socket.IO events (api/events.ts), with the same schemas as
// the OpenAPI document: served at GET /api/v1/asyncapi.json. The application it describes is
// the server: it receives the clients' events (and replies with the acknowledgement) and
// sends the rest.
import { componentSchemas, exampleOf, ref, schemaOf, type JsonSchema } from './components';
import { EVENTS, NAMESPACES, type EventDoc } from './events';

const DIALECT = 'application/schema+json;version=draft-2020-12';

/**
 * The message id of an event: `<namespace id>.<event name>` with `:` as `-` (component keys
 * are letters, digits, `.`, `-` and `_`), e.g. `reader.article-join`; its ack is `….ack`.
 */
export const messageId = (namespace: string, name: string) => `${NAMESPACES[namespace]!.id}.${name.replace(/[^\w.-]/g, '-')}`;

function message(event: EventDoc, payload: JsonSchema, example: unknown): JsonSchema {
  return {
    name: event.name,
    title: event.name,
    summary: event.summary,
    contentType: 'application/json',
    payload: { schemaFormat: DIALECT, schema: payload },
    ...(example !== undefined ? { examples: [{ payload: example }] } : {}),
  };
}

export function buildAsyncApi(events: EventDoc[] = EVENTS): JsonSchema {
  const messages: Record<string, JsonSchema> = {};
  const channels: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  for (const [address, ns] of Object.entries(NAMESPACES)) {
    channels[ns.id] = { address, title: ns.title, description: ns.description, messages: {} };
  }
  for (const event of events) {
    const ns = NAMESPACES[event.namespace];
    if (!ns) throw new Error(`event ${event.name}: unknown namespace ${event.namespace}`);
    const id = messageId(event.namespace, event.name);
    if (messages[id]) throw new Error(`event ${event.name} on ${event.namespace} is listed twice`);
    messages[id] = message(event, schemaOf(event.payload), exampleOf(event.payload));
    const channel = channels[ns.id]!;
    (channel.messages as JsonSchema)[id] = { $ref: `#/components/messages/${id}` };
    const op: JsonSchema = {
      action: event.from === 'client' ? 'receive' : 'send',
      channel: { $ref: `#/channels/${ns.id}` },
      summary: event.summary,
      messages: [{ $ref: `#/channels/${ns.id}/messages/${id}` }],
    };
    if (event.ack) {
      const ackId = `${id}.ack`;
      messages[ackId] = message(
        { ...event, name: `${event.name} (ack)`, summary: `The acknowledgement of ${event.name}: its result, or the Error body.` },
        { anyOf: [schemaOf(event.ack), ref('Error')] },
        exampleOf(event.ack),
      );
      (channel.messages as JsonSchema)[ackId] = { $ref: `#/components/messages/${ackId}` };
      op.reply = { channel: { $ref: `#/channels/${ns.id}` }, messages: [{ $ref: `#/channels/${ns.id}/messages/${ackId}` }] };
    }
    operations[`${id}.${event.from === 'client' ? 'receive' : 'send'}`] = op;
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Charcha events',
      version: '1',
      description:
        'Socket.IO events, by namespace. Every client event takes an acknowledgement callback whose answer is its result or the Error body. ' +
        'A refused handshake gives `connect_error` with the Error body in `err.data`. HTTP routes: /api/v1/openapi.json.',
      license: { name: 'MIT' },
    },
    defaultContentType: 'application/json',
    servers: {
      charcha: { host: 'localhost:3000', protocol: 'ws', pathname: '/socket.io/', description: 'Socket.IO 4 (Engine.IO 4) on the HTTP server; `auth: {site, token?}` at the handshake.' },
    },
    channels,
    operations,
    components: { schemas: componentSchemas(), messages },
  };
}

let cached: string | undefined;
/** The document as served (made once per process). */
export function asyncApiJson(): string {
  return (cached ??= JSON.stringify(buildAsyncApi()));
}
