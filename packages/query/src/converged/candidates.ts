import { abortChecker, DbError, type NodeType, throwIfAborted } from '@tabagent/common';
import type { FieldCondition } from '@tabagent/indexing';
import type { QueryContext } from '../query-context.js';
import type { ExplainRecorder } from './explain.js';
import { fieldInfo } from './field-catalogue.js';
import { indexableConditions, type FieldConditions } from './field-condition.js';
import type { NodeReader } from './node-reader.js';
import type { ParsedQuery } from './query-schema.js';
import { Verifier } from './verifier.js';

/** What the candidate stage hands to ranking. */
export interface Candidates {
  /** Candidate ids (unique), or undefined when no constraint could be materialised: every node is a candidate. */
  ids: string[] | undefined;
  /** Checks the ids still have to pass. */
  verifier: Verifier;
  /** Hops from the graph filter's start, for each graph-reachable node. */
  graphDepth: Map<string, number> | undefined;
  /** The constraint that produced the ids (for explain). */
  driver: string;
}

interface Source {
  label: string;
  /** Lower wins ties between equal estimates: already-materialised sets first. */
  priority: number;
  /** Already materialised (ids, graph), so its count is exact. */
  ids?: string[];
  estimate?(cap: number): Promise<{ count: number; exact: boolean }>;
  lookup?(max: number): Promise<string[]>;
  /** How to check this constraint on records instead, when it is not looked up. */
  defer(verifier: Verifier): void;
  /** Node kinds: always checkable for free by id prefix. */
  types?: boolean;
}

function tooLarge(label: string, max: number): DbError {
  return new DbError('TOO_LARGE', `${label} matches more than ${max} nodes; narrow the query (limits.maxCandidates)`, {
    details: { field: 'limits.maxCandidates', constraint: label },
  });
}

/** Nodes reachable from the graph filter's start within its depth (starts excluded), with their depth. */
async function reachable(ctx: QueryContext, graph: NonNullable<ParsedQuery['graph']>, signal: AbortSignal | undefined): Promise<Map<string, number>> {
  const { direction, edgeTypes, depth, starts } = graph;
  const max = ctx.limits.maxVisited;
  const startSet = new Set(starts);
  const seen = new Map<string, number>();
  const check = abortChecker(signal, 128);
  let frontier = [...starts];
  for (let level = 1; level <= depth && frontier.length > 0; level++) {
    const next: string[] = [];
    for (const id of frontier) {
      check();
      const neighbors = ctx.graph.neighborsSync(id, { direction, edgeTypes }) ?? (await ctx.graph.neighbors(id, { direction, edgeTypes }));
      for (const neighbor of neighbors) {
        const other = neighbor.nodeId;
        if (seen.has(other) || startSet.has(other)) continue;
        seen.set(other, level);
        if (seen.size > max) {
          throw new DbError('TOO_LARGE', `graph filter reaches more than ${max} nodes; lower graph.depth or add edgeTypes (limits.maxVisited)`, {
            details: { field: 'graph' },
          });
        }
        if (level < depth) next.push(other);
      }
    }
    frontier = next;
  }
  return seen;
}

function describeGraph(graph: NonNullable<ParsedQuery['graph']>): string {
  const starts = graph.starts.length === 1 ? graph.starts[0]! : `[${graph.starts.length} starts]`;
  return `graph ${graph.direction} ${graph.edgeTypes?.join('|') ?? '*'} from ${starts} depth ${graph.depth}`;
}

/**
 * Stage 1 of a converged query: estimate how many nodes each constraint matches (index
 * counts, capped), materialise the most selective, then intersect the others that are
 * small enough to look up and leave the rest to record checks.
 */
export async function findCandidates(
  ctx: QueryContext,
  q: ParsedQuery,
  reader: NodeReader,
  recorder: ExplainRecorder,
  signal: AbortSignal | undefined,
): Promise<Candidates> {
  const { maxCandidates } = ctx.limits;
  const verifier = new Verifier(q.types, reader);
  const sources: Source[] = [];
  let graphDepth: Map<string, number> | undefined;

  if (q.graph !== undefined) {
    graphDepth = await reachable(ctx, q.graph, signal);
    const ids = [...graphDepth.keys()];
    const label = describeGraph(q.graph);
    const set = graphDepth;
    sources.push({ label, priority: 0, ids, defer: (v) => v.restrictTo(label, new Set(set.keys())) });
    recorder.stage('graph', describeGraph(q.graph), { output: ids.length });
  }

  for (const [field, c] of q.filters) {
    const rest: FieldConditions = { ...c };
    if (field === 'id' && (c.eq !== undefined || c.in !== undefined)) {
      const wanted = c.eq !== undefined ? [c.eq] : c.in!;
      const ids = [...new Set(wanted.filter((v): v is string => typeof v === 'string'))];
      if (c.eq !== undefined) delete rest.eq;
      else delete rest.in;
      const kept = c.eq !== undefined ? { eq: c.eq } : { in: c.in! };
      sources.push({ label: `id ${c.eq !== undefined ? 'eq' : 'in'}`, priority: 0, ids, defer: (v) => v.add('id', kept) });
    } else if (fieldInfo(field)?.indexed === true) {
      for (const { condition, label } of indexableConditions(c)) {
        for (const op of Object.keys(condition)) delete rest[op as keyof FieldConditions];
        sources.push(indexSource(ctx, `${field} ${label}`, field, condition));
      }
    }
    if (Object.keys(rest).length > 0) verifier.add(field, rest);
  }
  if (q.types !== undefined) {
    const condition: FieldCondition = { in: q.types as NodeType[] };
    const source = indexSource(ctx, `type in [${q.types.join(', ')}]`, 'type', condition);
    source.types = true;
    source.priority = 2;
    sources.push(source);
  }
  throwIfAborted(signal);

  // Estimates: exact counts for materialised sources, capped index counts for the rest.
  // Once some constraint can drive, counting stops at what matters for the decision, so
  // estimating never costs more than the plan it chooses; an estimate that comes in under
  // its cap has read the ids too, so they are kept.
  // Ranked queries (by score) check records lazily, in rank order, until the page is
  // full: there, a second constraint is only worth a lookup when it is no larger than
  // the driver, and node kinds (free to check by id prefix) are never counted.
  const lazy = q.order.kind === 'score' && (q.keyword !== undefined || q.semantic !== undefined);
  const factor = lazy ? 1 : ctx.planner.intersectFactor;
  const counted: { source: Source; count: number }[] = [];
  let pending: Source[] = [];
  const uncounted: Source[] = [];
  for (const source of sources) {
    if (source.ids !== undefined) counted.push({ source, count: source.ids.length });
    else if (lazy && source.types === true) uncounted.push(source);
    else pending.push(source);
  }
  pending.sort((a, b) => Number(a.types === true) - Number(b.types === true));
  const best = (): number | undefined => (counted.length === 0 ? undefined : Math.min(...counted.map((c) => c.count)));
  const budget = ctx.planner.estimateCap;
  const capFor = (known: number): number => Math.max(1, Math.min(maxCandidates, lazy ? Math.min(known, budget) : Math.min(known * factor, Math.max(known, budget))));
  // A ranked query over a broad constraint does better without materialising it: the
  // keyword index or the vector index ranks everything, and the constraint is checked
  // on the few best. Only exact-only vector ranking gains from a large candidate set.
  const growthLimit = lazy && (q.semantic === undefined || ctx.vectors.approximate === true) ? Math.min(maxCandidates, Math.max(1_000, ctx.planner.exactMaxCandidates)) : maxCandidates;
  let cap = best() === undefined ? Math.min(growthLimit, 1_000) : capFor(best()!);
  const inexact = new Map<Source, number>();
  while (pending.length > 0) {
    const still: Source[] = [];
    for (const source of pending) {
      throwIfAborted(signal);
      const known = best();
      // Kinds are checked for free by id prefix and never intersected: they are only
      // counted when nothing else can drive.
      if (source.types === true && known !== undefined) {
        uncounted.push(source);
        continue;
      }
      const estimate = await source.estimate!(known === undefined ? cap : Math.min(cap, capFor(known)));
      if (estimate.exact) counted.push({ source, count: estimate.count });
      else {
        still.push(source);
        inexact.set(source, estimate.count);
      }
    }
    pending = still;
    const known = best();
    // Grow the cap only while nothing can drive yet.
    if (pending.length === 0 || known !== undefined || cap >= growthLimit) break;
    cap = Math.min(growthLimit, cap * 10);
  }
  for (const { source, count } of counted) recorder.estimates.push({ constraint: source.label, count, exact: true });
  for (const source of pending) recorder.estimates.push({ constraint: source.label, count: inexact.get(source) ?? cap, exact: false });
  recorder.stage('estimate', `${sources.length} constraint(s), counts capped at ${cap}`);

  counted.sort((a, b) => a.count - b.count || a.source.priority - b.source.priority);
  const driver = counted[0];
  if (driver === undefined) {
    // Nothing small enough to materialise: every constraint is checked per node.
    for (const source of [...counted.map((c) => c.source), ...pending]) if (source.types !== true) source.defer(verifier);
    for (const source of [...counted.map((c) => c.source), ...pending, ...uncounted]) if (source.types === true) recorder.plan.push(`check ${source.label} by id prefix`);
    const tried = counted.length + pending.length > 0;
    if (tried) recorder.plan.push(`no constraint matches at most ${cap} nodes: rank everything, check the constraints on each node`);
    return { ids: undefined, verifier, graphDepth, driver: tried ? 'unconstrained' : 'none' };
  }

  let ids = driver.source.ids ?? (await driver.source.lookup!(maxCandidates));
  ids = [...new Set(ids)];
  recorder.plan.push(`start from ${driver.source.label} (${driver.count} nodes)`);
  recorder.stage('candidates', driver.source.label, { output: ids.length });

  for (const { source, count } of [...counted.slice(1), ...[...pending, ...uncounted].map((source) => ({ source, count: Infinity }))]) {
    throwIfAborted(signal);
    if (source.types === true) {
      recorder.plan.push(`check ${source.label} by id prefix`);
      continue;
    }
    // Graph and id sets are materialised already; index constraints are looked up when
    // small next to the candidates, else checked on the candidates' records.
    if (source.priority === 0 || count <= factor * ids.length) {
      const other = new Set(source.ids ?? (await source.lookup!(maxCandidates)));
      const before = ids.length;
      ids = ids.filter((id) => other.has(id));
      recorder.plan.push(`intersect with ${source.label} (${other.size} nodes)`);
      recorder.stage('intersect', source.label, { input: before, output: ids.length });
    } else {
      source.defer(verifier);
      const matches = Number.isFinite(count) ? `${count}` : `> ${inexact.get(source) ?? cap}`;
      recorder.plan.push(`check ${source.label} on the candidates' records${lazy ? ', in rank order' : ''} (${matches} matches: cheaper than a lookup)`);
    }
  }
  // The id prefix check is free: apply it now so later stages see fewer ids.
  const before = ids.length;
  ids = ids.filter((id) => verifier.acceptsId(id));
  if (q.types !== undefined && before !== ids.length) recorder.stage('types', 'by id prefix', { input: before, output: ids.length });
  return { ids, verifier, graphDepth, driver: driver.source.label };
}

function indexSource(ctx: QueryContext, label: string, field: string, condition: FieldCondition): Source {
  const { structural } = ctx.indexing;
  const source: Source = {
    label,
    priority: 1,
    // Counting keys up to the cap costs about what reading them does: read them, and keep
    // the ids when they are all there.
    estimate: async (cap) => {
      const ids = await structural.lookup(field, condition, { limit: cap + 1 });
      if (ids.length > cap) return { count: cap, exact: false };
      source.ids = ids;
      return { count: ids.length, exact: true };
    },
    lookup: async (max) => {
      const ids = await structural.lookup(field, condition, { limit: max + 1 });
      if (ids.length > max) throw tooLarge(label, max);
      return ids;
    },
    defer: (verifier) => verifier.add(field, condition as FieldConditions),
  };
  return source;
}
