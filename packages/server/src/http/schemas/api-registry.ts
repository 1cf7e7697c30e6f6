import { z } from 'zod';

/** What the OpenAPI document says about a named schema. */
export interface ApiSchemaMeta {
  /** Component name under `#/components/schemas` (inputs get an `Input` suffix when they differ). */
  id?: string;
  description?: string;
  [key: string]: unknown;
}

/**
 * The schemas that become named OpenAPI components. A registry of our own (not zod's
 * global one) so that the document lists exactly these, whoever else uses zod.
 */
export const apiSchemas = z.registry<ApiSchemaMeta>();

/** Registers `schema` as the component `id` and returns it. */
export function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  apiSchemas.add(schema, description === undefined ? { id } : { id, description });
  return schema;
}
