import type { GraphIndex, Neighbor, NeighborOptions } from '@tabagent/indexing';

/** An edge as seen along a path: its id, type and real direction. */
export interface PathEdge {
  id: string;
  type: string;
  from: string;
  to: string;
  weight?: number;
}

/** The edge a neighbour was reached over, oriented from `nodeId`. */
export function pathEdge(nodeId: string, neighbor: Neighbor): PathEdge {
  const edge: PathEdge =
    neighbor.direction === 'out'
      ? { id: neighbor.edgeId, type: neighbor.type, from: nodeId, to: neighbor.nodeId }
      : { id: neighbor.edgeId, type: neighbor.type, from: neighbor.nodeId, to: nodeId };
  if (neighbor.weight !== undefined) edge.weight = neighbor.weight;
  return edge;
}

/** Neighbour order used wherever order is visible: by node id, then edge id. */
export function compareNeighbors(a: Neighbor, b: Neighbor): number {
  return a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : a.edgeId < b.edgeId ? -1 : a.edgeId > b.edgeId ? 1 : 0;
}

/**
 * Neighbour lookups that stay synchronous while the graph index's in-memory mirror is
 * loaded (map lookups) and fall back to its range scans before that.
 */
export class GraphAccess {
  readonly #graph: GraphIndex;

  constructor(graph: GraphIndex) {
    this.#graph = graph;
  }

  /** Neighbours now if the mirror is loaded, else undefined (call `neighbors`). */
  neighborsSync(nodeId: string, options: NeighborOptions): Neighbor[] | undefined {
    return this.#graph.neighborsSync(nodeId, options);
  }

  async neighbors(nodeId: string, options: NeighborOptions): Promise<Neighbor[]> {
    return this.#graph.neighborsSync(nodeId, options) ?? (await this.#graph.neighbors(nodeId, options));
  }
}

/** The opposite direction, for searching backwards from a target. */
export function reverseDirection(direction: 'out' | 'in' | 'both'): 'out' | 'in' | 'both' {
  return direction === 'out' ? 'in' : direction === 'in' ? 'out' : 'both';
}
