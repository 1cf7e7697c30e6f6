import type { QueryResult } from '@tabagent/query';
import { nodeLine } from '../output/format.js';

/** A query's hits as numbered lines with their scores. */
export function formatHits(result: QueryResult): string {
  if (result.hits.length === 0) return 'no results';
  const lines = result.hits.map((hit, i) => {
    const scores = Object.entries(hit.scores)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k} ${(v as number).toFixed(3)}`)
      .join(', ');
    return `${String(i + 1).padStart(2)}. ${nodeLine(hit.node)}${scores === '' ? '' : `  [${scores}]`}`;
  });
  const shown = result.total === undefined ? `${result.hits.length} shown` : `${result.hits.length} of ${result.total}`;
  lines.push(`(${shown})`);
  if (result.explain) lines.push(`plan: ${JSON.stringify(result.explain)}`);
  return lines.join('\n');
}
