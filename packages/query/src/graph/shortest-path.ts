import { abortChecker, DbError, throwIfAborted } from '@tabagent/common';
import type { Neighbor } from '@tabagent/indexing';
import { pathEdge, reverseDirection, type GraphAccess, type PathEdge } from './graph-access.js';

export interface ShortestPathOptions {
  /** Follow only these edge types (default: all). */
  edgeTypes?: readonly string[];
  /** Longest path accepted, in edges (default 6, at most the engine's `limits.maxDepth`). */
  maxDepth?: number;
  /** `out` (default): follow edges from `from` towards `to`; `in`: against them; `both`: either way. */
  direction?: 'out' | 'in' | 'both';
  /** Most nodes both searches may visit together (default: the engine's `limits.maxVisited`). */
  maxVisited?: number;
  signal?: AbortSignal;
}

/** A shortest path: its nodes from start to end and the edges between them. */
export interface GraphPath {
  /** Node ids from the start to the end (inclusive). */
  nodes: string[];
  /** `edges[i]` joins `nodes[i]` and `nodes[i + 1]`, with its real direction. */
  edges: PathEdge[];
  /** Number of edges. */
  length: number;
}

interface Visit {
  depth: number;
  /** The node one step closer to this side's root, and the edge to it. */
  via?: { node: string; edge: PathEdge };
}

/** One end of the search: what it has visited and its current frontier. */
interface Side {
  visits: Map<string, Visit>;
  frontier: string[];
  depth: number;
  direction: 'out' | 'in' | 'both';
}

/**
 * Bidirectional breadth-first search: expands, level by level, whichever side has the
 * smaller frontier, and stops at the first level where the two searches meet (taking
 * the shortest of that level's meetings). Undefined when no path of at most
 * `maxDepth` edges exists.
 */
export async function findShortestPath(
  graph: GraphAccess,
  from: string,
  to: string,
  options: { edgeTypes?: readonly string[]; maxDepth: number; direction: 'out' | 'in' | 'both'; maxVisited: number; signal?: AbortSignal },
): Promise<GraphPath | undefined> {
  const { edgeTypes, maxDepth, direction, maxVisited, signal } = options;
  throwIfAborted(signal);
  if (from === to) return { nodes: [from], edges: [], length: 0 };
  const check = abortChecker(signal, 128);
  const sides: [Side, Side] = [
    { visits: new Map<string, Visit>([[from, { depth: 0 }]]), frontier: [from], depth: 0, direction },
    { visits: new Map<string, Visit>([[to, { depth: 0 }]]), frontier: [to], depth: 0, direction: reverseDirection(direction) },
  ];
  let visited = 2;
  while (sides[0].frontier.length > 0 && sides[1].frontier.length > 0 && sides[0].depth + sides[1].depth < maxDepth) {
    const index = sides[0].frontier.length <= sides[1].frontier.length ? 0 : 1;
    const side = sides[index];
    const other = sides[1 - index]!;
    const next: string[] = [];
    let best: { node: string; total: number } | undefined;
    for (const node of side.frontier) {
      check();
      const neighbors: Neighbor[] = graph.neighborsSync(node, { direction: side.direction, edgeTypes }) ?? (await graph.neighbors(node, { direction: side.direction, edgeTypes }));
      for (const neighbor of neighbors) {
        if (side.visits.has(neighbor.nodeId)) continue;
        side.visits.set(neighbor.nodeId, { depth: side.depth + 1, via: { node, edge: pathEdge(node, neighbor) } });
        if (++visited > maxVisited) {
          throw new DbError('TOO_LARGE', `shortest path search visited more than ${maxVisited} nodes`, { details: { field: 'maxVisited' } });
        }
        next.push(neighbor.nodeId);
        const met = other.visits.get(neighbor.nodeId);
        if (met !== undefined) {
          const total = side.depth + 1 + met.depth;
          if (best === undefined || total < best.total) best = { node: neighbor.nodeId, total };
        }
      }
    }
    side.frontier = next;
    side.depth++;
    if (best !== undefined) return best.total <= maxDepth ? assemble(sides[0].visits, sides[1].visits, best.node) : undefined;
  }
  return undefined;
}

function assemble(forward: Map<string, Visit>, backward: Map<string, Visit>, meeting: string): GraphPath {
  const nodes: string[] = [meeting];
  const edges: PathEdge[] = [];
  for (let visit = forward.get(meeting); visit?.via !== undefined; visit = forward.get(visit.via.node)) {
    nodes.unshift(visit.via.node);
    edges.unshift(visit.via.edge);
  }
  for (let visit = backward.get(meeting); visit?.via !== undefined; visit = backward.get(visit.via.node)) {
    nodes.push(visit.via.node);
    edges.push(visit.via.edge);
  }
  return { nodes, edges, length: edges.length };
}
