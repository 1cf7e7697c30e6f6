import type { z } from 'zod';
import type { TabAgent } from 'tabagent';

/** What every operation receives besides its parameters. */
export interface OperationContext {
  /** Aborts when the caller goes away or runs out of time. */
  signal: AbortSignal;
  /** Milliseconds the caller still waits, when it said (a gRPC deadline). */
  timeoutMs?: number;
}

/**
 * One thing a transport can ask the database to do: a name, a zod schema for its
 * parameters (built from the common schemas, so every transport validates alike), the
 * call on the facade, and an example input. REST routes, gRPC methods, MCP tools and
 * native-messaging methods are adapters of these (the server's README, "One operation catalogue").
 */
export interface Operation<P = unknown, R = unknown> {
  readonly name: string;
  /** One line saying what it does. */
  readonly summary: string;
  readonly params: z.ZodType<P>;
  /**
   * An input that succeeds when the catalogue's examples are sent in catalogue order to a
   * fresh database (the OpenAPI document's request examples are these).
   */
  readonly example: P;
  run(db: TabAgent, params: P, context: OperationContext): Promise<R>;
}

/** What {@link defineOperation} takes besides the name, schema and call. */
export interface OperationMeta<S extends z.ZodType> {
  summary: string;
  example: z.input<S>;
}

/**
 * Declares an operation with its parameter type inferred from its schema.
 *
 * @example
 * defineOperation('nodes.get', z.strictObject({ id: idSchema }), (db, p) => db.getNode(p.id), {
 *   summary: 'Get a node',
 *   example: { id: 'chat_example' },
 * });
 */
export function defineOperation<S extends z.ZodType, R>(
  name: string,
  params: S,
  run: (db: TabAgent, params: z.output<S>, context: OperationContext) => Promise<R> | R,
  meta: OperationMeta<S>,
): Operation<z.output<S>, R> {
  return {
    name,
    summary: meta.summary,
    params: params as z.ZodType<z.output<S>>,
    example: meta.example as z.output<S>,
    run: async (db, p, ctx) => run(db, p, ctx),
  };
}

/**
 * Deepest nesting of arrays and objects in a request of any transport (REST bodies,
 * native-messaging and MCP messages, gRPC structs): records nest at most
 * `MAX_JSON_DEPTH` (64) levels inside it.
 */
export const MAX_REQUEST_DEPTH = 128;
