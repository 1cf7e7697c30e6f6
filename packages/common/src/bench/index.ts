// Internal: shared statistics and result files for the packages' benchmarks. Not part of
// the public API (`@tabagent/common/bench`).
export { percentile, percentileOfSorted, median, mean, summarise, perSecond } from './stats.js';
export { writeResults, resultsFile } from './results.js';
export type { BenchResult, WriteResultsOptions } from './results.js';
