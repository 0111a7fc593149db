// The named schemas (api/schemas.ts) as JSON Schema 2020-12, the dialect of OpenAPI 3.1,
// under #/components/schemas: shared by the OpenAPI and the AsyncAPI documents.
import { z } from 'zod';
import { api } from './schemas';

export type JsonSchema = Record<string, unknown>;

export const ref = (id: string): JsonSchema => ({ $ref: `#/components/schemas/${id}` });

/**
 * Every named schema, converted once. Requests are described as callers send them (zod's
 * `input` side: a field with a default may be left out); answers have neither defaults nor
 * transforms, so both sides agree for them.
 */
export function componentSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(api, { io: 'input', unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` });
  const out: Record<string, JsonSchema> = {};
  for (const id of Object.keys(schemas).sort()) {
    const { $schema: _s, $id: _i, ...rest } = schemas[id] as JsonSchema;
    out[id] = rest;
  }
  return out;
}

/** The schema as a reference to its component: every schema the documents use is named (`named()` in api/schemas.ts). */
export function schemaOf(schema: z.ZodType): JsonSchema {
  const id = api.get(schema)?.id;
  if (!id) throw new Error(`a schema used by a route or event has no name: give it one with named() in api/schemas.ts (${schema.description ?? schema.def.type})`);
  return ref(id);
}

/** The first example of a named schema. */
export function exampleOf(schema: z.ZodType): unknown {
  return api.get(schema)?.examples?.[0];
}
