import type { FastifySerializerCompiler } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';

export { validatorCompiler };

/** Responses checked against their documented zod schema (tests), or not (production). */
export function responseSerializer(validate: boolean): FastifySerializerCompiler<unknown> {
  return validate ? (serializerCompiler as FastifySerializerCompiler<unknown>) : () => plainJson;
}

function plainJson(data: unknown): string {
  return JSON.stringify(data);
}
