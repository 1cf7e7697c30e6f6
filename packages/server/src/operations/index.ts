export { OPERATIONS, operation } from './catalogue.js';
export type { OperationName } from './catalogue.js';
export { invokeOperation } from './invoke.js';
export { defineOperation } from './operation.js';
export type { Operation, OperationContext } from './operation.js';
export { eventFilterParams } from './params.js';
