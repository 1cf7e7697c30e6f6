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
 * parameters (built from the common schemas, so every transport validates alike) and
 * the call on the facade. gRPC and native messaging dispatch to the same operations.
 */
export interface Operation<P = unknown, R = unknown> {
  readonly name: string;
  readonly params: z.ZodType<P>;
  run(db: TabAgent, params: P, context: OperationContext): Promise<R>;
}

/** Declares an operation with its parameter type inferred from its schema. */
export function defineOperation<S extends z.ZodType, R>(
  name: string,
  params: S,
  run: (db: TabAgent, params: z.output<S>, context: OperationContext) => Promise<R> | R,
): Operation<z.output<S>, R> {
  return { name, params: params as z.ZodType<z.output<S>>, run: async (db, p, ctx) => run(db, p, ctx) };
}
