// Internal: V8 workarounds shared by sibling packages (`@tabagent/common/runtime`).
// Not part of the public API.
export { tuneGcForLatency } from './gc-tuning.js';
export { withFields } from './with-fields.js';
