export { OPERATIONS, operation } from './catalogue.js';
export type { OperationName } from './catalogue.js';
export { invokeOperation } from './invoke.js';
export { defineOperation } from './operation.js';
export type { Operation, OperationContext, OperationMeta } from './operation.js';
export { MAX_REQUEST_DEPTH } from './operation.js';
export { EXAMPLE_IDS } from './examples.js';
export { addMessageParams, createChatParams, eventFilterParams, newMessageParams, searchParams } from './params.js';
export { requireIdPrefixes } from './require-node.js';
