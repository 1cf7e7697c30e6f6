export { sampleNewNodes, sampleNewNodeList, seededRandom } from './samples.js';
export { runAndKill } from './kill-after-acks.js';
export type { KillAfterAcksOptions } from './kill-after-acks.js';
