import type { Node } from '@tabagent/common';
import { compareIds, compareScalars, type Scalar } from '../util/compare.js';
import { fieldValues } from './field-catalogue.js';

/**
 * Orders nodes by a field (its first value, for arrays), ties by id ascending; nodes
 * without the field come last in either direction.
 */
export function sortByField(nodes: Node[], field: string, direction: 'asc' | 'desc'): Node[] {
  const keyed = nodes.map((node) => ({ node, key: fieldValues(node, field)[0] as Scalar | undefined }));
  const sign = direction === 'asc' ? 1 : -1;
  keyed.sort((a, b) => {
    if (a.key === undefined || b.key === undefined) {
      if (a.key !== b.key) return a.key === undefined ? 1 : -1;
      return compareIds(a.node.id, b.node.id);
    }
    return sign * compareScalars(a.key, b.key) || compareIds(a.node.id, b.node.id);
  });
  return keyed.map((k) => k.node);
}
