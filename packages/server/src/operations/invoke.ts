import { validate } from '@tabagent/common';
import type { TabAgent } from 'tabagent';
import { operation } from './catalogue.js';
import type { OperationContext } from './operation.js';

/**
 * Validates `params` with the operation's schema (`INVALID_ARGUMENT` naming the field,
 * e.g. `limit`, or `params.limit` with `fieldPrefix: 'params'`) and runs it.
 * Synchronous throws of the facade become rejections.
 */
export async function invokeOperation(
  db: TabAgent,
  name: string,
  params: unknown,
  context: OperationContext,
  options: { fieldPrefix?: string } = {},
): Promise<unknown> {
  const op = operation(name);
  const valid = validate(op.params, params ?? {}, options.fieldPrefix ?? '');
  return op.run(db, valid, context);
}
