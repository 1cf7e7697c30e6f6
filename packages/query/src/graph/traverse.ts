import { abortChecker, DbError, type Node, type NodeType, throwIfAborted } from '@tabagent/common';
import type { Storage } from '@tabagent/storage';
import { compareNeighbors, pathEdge, type GraphAccess, type PathEdge } from './graph-access.js';

export interface TraverseOptions {
  /** Hops from the start (default 2, at most the engine's `limits.maxDepth`). */
  depth?: number;
  /** `out` (default), `in` or `both`. */
  direction?: 'out' | 'in' | 'both';
  /** Follow only these edge types (default: all). */
  edgeTypes?: readonly string[];
  /** Return only nodes of these kinds (the walk still passes through others). */
  types?: readonly NodeType[];
  /** Stop after visiting this many nodes (default: the engine's `limits.maxVisited`); `truncated` says so. */
  maxNodes?: number;
  signal?: AbortSignal;
}

/** A node reached by a traversal. */
export interface TraversalStep {
  node: Node;
  /** Hops from the start (1 for direct neighbours). */
  depth: number;
  /** Edges from the start to this node along the breadth-first tree. */
  path: PathEdge[];
}

export interface Traversal {
  steps: TraversalStep[];
  /** True when `maxNodes` stopped the walk early. */
  truncated: boolean;
}

interface Parent {
  node: string;
  edge: PathEdge;
  depth: number;
}

/**
 * Breadth-first traversal up to `depth` hops. Order is deterministic: by depth, then
 * in discovery order, neighbours of a node taken by id. The start node is not returned.
 */
export async function traverse(
  graph: GraphAccess,
  storage: Storage,
  start: string,
  options: { depth: number; direction: 'out' | 'in' | 'both'; edgeTypes?: readonly string[]; types?: readonly NodeType[]; maxNodes: number; signal?: AbortSignal },
): Promise<Traversal> {
  const { depth, direction, edgeTypes, maxNodes, signal } = options;
  throwIfAborted(signal);
  const check = abortChecker(signal, 128);
  const parents = new Map<string, Parent>();
  const order: string[] = [];
  let frontier = [start];
  let truncated = false;
  walk: for (let level = 1; level <= depth && frontier.length > 0; level++) {
    const next: string[] = [];
    for (const node of frontier) {
      check();
      const neighbors = [...(graph.neighborsSync(node, { direction, edgeTypes }) ?? (await graph.neighbors(node, { direction, edgeTypes })))].sort(compareNeighbors);
      for (const neighbor of neighbors) {
        if (neighbor.nodeId === start || parents.has(neighbor.nodeId)) continue;
        if (order.length >= maxNodes) {
          truncated = true;
          break walk;
        }
        parents.set(neighbor.nodeId, { node, edge: pathEdge(node, neighbor), depth: level });
        order.push(neighbor.nodeId);
        next.push(neighbor.nodeId);
      }
    }
    frontier = next;
  }
  const types = options.types === undefined ? undefined : new Set<string>(options.types);
  const steps: TraversalStep[] = [];
  for (let i = 0; i < order.length; i += 512) {
    throwIfAborted(signal);
    const ids = order.slice(i, i + 512);
    const nodes = storage.getNodesSync(ids);
    nodes.forEach((node, j) => {
      if (node === undefined || (types !== undefined && !types.has(node.type))) return;
      const id = ids[j]!;
      const path: PathEdge[] = [];
      for (let parent = parents.get(id); parent !== undefined; parent = parents.get(parent.node)) path.unshift(parent.edge);
      steps.push({ node, depth: parents.get(id)!.depth, path });
    });
  }
  return { steps, truncated };
}

/** Checks a depth argument against the engine's bound. */
export function checkDepth(depth: unknown, max: number, field: string, min = 1): number {
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < min || depth > max) {
    throw new DbError('INVALID_ARGUMENT', `${field}: expected an integer from ${min} to ${max}`, { details: { field } });
  }
  return depth;
}
