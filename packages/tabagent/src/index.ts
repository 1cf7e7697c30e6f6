export { TabAgent } from './tabagent.js';
export type { TabAgentStatus, TabAgentStats, CreateChatInput, SearchOptions, TabAgentRepairReport } from './tabagent.js';
export type { TabAgentHealth, HealthOptions } from './health.js';
export type { MlInference } from './inference.js';
export { Chat } from './chat.js';
export type { AddMessageInput } from './chat.js';
export { resolveTabAgentOptions } from './options.js';
export type { TabAgentOptions, TabAgentWeaverOptions, ResolvedTabAgentOptions } from './options.js';
export { matchesEventFilter } from './events.js';
export type { TabAgentEvent, EventFilter } from './events.js';
export type { StorageStats } from '@tabagent/storage';
// For applications that embed TabAgent and care about tail latency (see its doc).
export { tuneGcForLatency } from '@tabagent/common/runtime';
