import type { Node, NodeType } from '@tabagent/common';
import type { Storage } from '@tabagent/storage';
import { compareNeighbors, pathEdge, type GraphAccess, type PathEdge } from './graph-access.js';

export interface NeighborsOptions {
  /** `out` (default), `in` or `both`. */
  direction?: 'out' | 'in' | 'both';
  /** Only edges of these types (default: all). */
  edgeTypes?: readonly string[];
  /** Only neighbours of these kinds. */
  types?: readonly NodeType[];
  /** At most this many (default: the engine's `limits.maxLimit`). */
  limit?: number;
  signal?: AbortSignal;
}

/** A neighbouring node and the edge that joins it. */
export interface NeighborNode {
  node: Node;
  /** The edge, with its real direction. */
  edge: PathEdge;
  /** `out`: the edge leaves the queried node; `in`: it arrives there. */
  direction: 'out' | 'in';
}

/** A node's neighbours with their records, ordered by neighbour id then edge id. */
export async function neighborNodes(
  graph: GraphAccess,
  storage: Storage,
  nodeId: string,
  options: { direction: 'out' | 'in' | 'both'; edgeTypes?: readonly string[]; types?: readonly NodeType[]; limit: number },
): Promise<NeighborNode[]> {
  const { direction, edgeTypes, limit } = options;
  const types = options.types === undefined ? undefined : new Set<string>(options.types);
  const neighbors = [...(await graph.neighbors(nodeId, { direction, edgeTypes }))].sort(compareNeighbors);
  const result: NeighborNode[] = [];
  for (let start = 0; start < neighbors.length && result.length < limit; start += 256) {
    const chunk = neighbors.slice(start, start + 256);
    const nodes = storage.getNodesSync(chunk.map((n) => n.nodeId));
    for (let i = 0; i < chunk.length && result.length < limit; i++) {
      const node = nodes[i];
      if (node === undefined || (types !== undefined && !types.has(node.type))) continue;
      result.push({ node, edge: pathEdge(nodeId, chunk[i]!), direction: chunk[i]!.direction });
    }
  }
  return result;
}
