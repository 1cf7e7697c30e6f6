// Internal: runtime helpers shared by sibling packages (`@tabagent/common/runtime`) —
// V8 workarounds and small async primitives. Not part of the public API.
export { tuneGcForLatency } from './gc-tuning.js';
export { withFields } from './with-fields.js';
export { ProgressSignal } from './progress-signal.js';
