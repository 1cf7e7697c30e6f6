export { sampleNewNodes, sampleNewNodeList, seededRandom } from './samples.js';
