/**
 * A reference evaluator: loads every node, edge and embedding, then answers a
 * ConvergedQuery by the documented semantics with plain loops — no index, no planner.
 */
import { nodeText, type Edge, type Embedding, type Node } from '@tabagent/common';
import { INDEXED_FIELDS, termFrequencies } from '@tabagent/indexing';
import type { Storage } from '@tabagent/storage';
import type { ConvergedQuery, FieldConditions } from '../src/index.js';

type Scalar = string | number | boolean;

function codePoints(s: string): number[] {
  return [...s].map((c) => c.codePointAt(0)!);
}

/** booleans < numbers < strings; strings by code point. */
function compare(a: Scalar, b: Scalar): number {
  const rank = (v: Scalar): number => (typeof v === 'boolean' ? 0 : typeof v === 'number' ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a === 'string') {
    const x = codePoints(a);
    const y = codePoints(b as string);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  }
  return Number(a) - Number(b);
}

function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function values(node: Node, field: string): Scalar[] {
  const indexed = INDEXED_FIELDS.find((f) => f.name === field);
  if (indexed) return indexed.values(node) as Scalar[];
  let value: unknown = node;
  for (const part of field.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.filter((v): v is Scalar => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
}

function present(node: Node, field: string): boolean {
  if (field === 'entity') return node.type === 'Entity';
  let value: unknown = node;
  for (const part of field.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value !== undefined && value !== null;
}

function satisfies(node: Node, field: string, c: FieldConditions): boolean {
  const vs = values(node, field);
  if (c.exists !== undefined && present(node, field) !== c.exists) return false;
  if (c.eq !== undefined && !vs.includes(c.eq)) return false;
  if (c.ne !== undefined && vs.includes(c.ne)) return false;
  if (c.in !== undefined && !vs.some((v) => c.in!.includes(v))) return false;
  if (c.prefix !== undefined && !vs.some((v) => typeof v === 'string' && v.startsWith(c.prefix!))) return false;
  if (c.contains !== undefined && !vs.some((v) => v === c.contains || (typeof v === 'string' && typeof c.contains === 'string' && v.includes(c.contains)))) return false;
  const bounds = (['gt', 'gte', 'lt', 'lte'] as const).filter((op) => c[op] !== undefined);
  if (bounds.length > 0) {
    const ok = vs.some((v) =>
      bounds.every((op) => {
        const bound = c[op]!;
        if (typeof v !== typeof bound) return false;
        const d = compare(v, bound);
        return op === 'gt' ? d > 0 : op === 'gte' ? d >= 0 : op === 'lt' ? d < 0 : d <= 0;
      }),
    );
    if (!ok) return false;
  }
  return true;
}

export interface Expected {
  ids: string[];
  /** Full ordered list length before paging. */
  total: number;
  scores: Map<string, { keyword?: number; semantic?: number; fused?: number }>;
}

export class BruteForce {
  readonly nodes = new Map<string, Node>();
  readonly edges: Edge[] = [];
  readonly embeddings: Embedding[] = [];

  static async load(storage: Storage): Promise<BruteForce> {
    const bf = new BruteForce();
    for await (const chunk of storage.scanNodes()) for (const n of chunk) bf.nodes.set(n.id, n);
    for await (const chunk of storage.scanEdges()) bf.edges.push(...chunk);
    for await (const chunk of storage.scanEmbeddings()) bf.embeddings.push(...chunk);
    return bf;
  }

  /** Nodes reachable from the starts within depth (starts excluded), BFS over every edge. */
  reachable(starts: string[], direction: 'out' | 'in' | 'both', edgeTypes: readonly string[] | undefined, depth: number): Map<string, number> {
    const seen = new Map<string, number>();
    const startSet = new Set(starts);
    let frontier = [...starts];
    for (let level = 1; level <= depth; level++) {
      const next: string[] = [];
      for (const id of frontier) {
        for (const e of this.edges) {
          if (edgeTypes && !edgeTypes.includes(e.type)) continue;
          const others: string[] = [];
          if (direction !== 'in' && e.from === id) others.push(e.to);
          if (direction !== 'out' && e.to === id) others.push(e.from);
          for (const o of others) {
            if (startSet.has(o) || seen.has(o)) continue;
            seen.set(o, level);
            next.push(o);
          }
        }
      }
      frontier = next;
    }
    return seen;
  }

  /** BM25 exactly as documented: idf = ln(1 + (N − df + 0.5)/(df + 0.5)), k1 = 1.2, b = 0.75. */
  bm25(text: string): Map<string, number> {
    const docs = new Map<string, Map<string, number>>();
    let totalLength = 0;
    for (const node of this.nodes.values()) {
      const tf = termFrequencies(nodeText(node));
      if (tf.size === 0) continue;
      docs.set(node.id, tf);
      for (const f of tf.values()) totalLength += f;
    }
    const averageLength = totalLength / docs.size;
    const scores = new Map<string, number>();
    for (const term of termFrequencies(text).keys()) {
      let df = 0;
      for (const tf of docs.values()) if (tf.has(term)) df++;
      const idf = Math.log(1 + (docs.size - df + 0.5) / (df + 0.5));
      for (const [id, tf] of docs) {
        const f = tf.get(term);
        if (f === undefined) continue;
        let length = 0;
        for (const x of tf.values()) length += x;
        const score = (idf * f * (1.2 + 1)) / (f + 1.2 * (1 - 0.75 + (0.75 * length) / averageLength));
        scores.set(id, (scores.get(id) ?? 0) + score);
      }
    }
    return scores;
  }

  cosines(vector: Float32Array, model: string): Map<string, number> {
    let qq = 0;
    for (let i = 0; i < vector.length; i++) qq += vector[i]! * vector[i]!;
    const qNorm = Math.sqrt(qq);
    const best = new Map<string, number>();
    for (const e of this.embeddings) {
      if (e.model !== model || e.vector.length !== vector.length) continue;
      let dot = 0;
      let bb = 0;
      for (let i = 0; i < vector.length; i++) {
        dot += vector[i]! * e.vector[i]!;
        bb += e.vector[i]! * e.vector[i]!;
      }
      const score = dot / (qNorm * Math.sqrt(bb));
      if (!best.has(e.nodeId) || score > best.get(e.nodeId)!) best.set(e.nodeId, score);
    }
    return best;
  }

  query(q: ConvergedQuery, model: string): Expected {
    let candidates = [...this.nodes.values()];
    if (q.types) candidates = candidates.filter((n) => q.types!.includes(n.type));
    for (const [field, c] of Object.entries(q.filters ?? {})) candidates = candidates.filter((n) => satisfies(n, field, c));
    if (q.graph) {
      const starts = typeof q.graph.start === 'string' ? [q.graph.start] : [...q.graph.start];
      const reach = this.reachable(starts, q.graph.direction ?? 'out', q.graph.edgeTypes, q.graph.depth ?? 1);
      candidates = candidates.filter((n) => reach.has(n.id));
    }
    const ids = new Set(candidates.map((n) => n.id));
    const limit = q.limit ?? 10;
    const offset = q.offset ?? 0;
    const scores = new Map<string, { keyword?: number; semantic?: number; fused?: number }>();

    const keywordList = (): [string, number][] =>
      q.keyword === undefined ? [] : [...this.bm25(q.keyword)].filter(([id]) => ids.has(id)).sort((a, b) => b[1] - a[1] || byId(a[0], b[0]));
    const semanticList = (): [string, number][] => {
      if (!q.semantic) return [];
      const vector = q.semantic.vector instanceof Float32Array ? q.semantic.vector : Float32Array.from(q.semantic.vector!);
      const threshold = q.semantic.threshold;
      return [...this.cosines(vector, model)]
        .filter(([id, s]) => ids.has(id) && (threshold === undefined || s >= threshold))
        .sort((a, b) => b[1] - a[1] || byId(a[0], b[0]));
    };

    const byScore = q.orderBy === 'score' || (q.orderBy === undefined && (q.keyword !== undefined || q.semantic !== undefined));
    let ordered: string[];
    if (byScore && q.keyword !== undefined && q.semantic !== undefined) {
      const window = Math.max(q.fusion?.window ?? 50, offset + limit);
      const k = q.fusion?.k ?? 60;
      const kw = keywordList().slice(0, window);
      const sem = semanticList().slice(0, window);
      const fused = new Map<string, number>();
      kw.forEach(([id], i) => fused.set(id, 1 / (k + i + 1)));
      sem.forEach(([id], i) => fused.set(id, (fused.get(id) ?? 0) + 1 / (k + i + 1)));
      ordered = [...fused].sort((a, b) => b[1] - a[1] || byId(a[0], b[0])).map(([id]) => id);
      for (const [id, f] of fused) scores.set(id, { fused: f });
      const allKw = this.bm25(q.keyword);
      for (const [id, s] of scores) if (allKw.has(id)) s.keyword = allKw.get(id)!;
      for (const [id, v] of sem) scores.get(id)!.semantic = v;
    } else if (byScore && q.keyword !== undefined) {
      const kw = keywordList();
      ordered = kw.map(([id]) => id);
      for (const [id, s] of kw) scores.set(id, { keyword: s });
    } else if (byScore) {
      const sem = semanticList();
      ordered = sem.map(([id]) => id);
      for (const [id, s] of sem) scores.set(id, { semantic: s });
    } else {
      let selected = [...ids];
      if (q.keyword !== undefined || q.semantic !== undefined) {
        const set = new Set<string>();
        for (const [id] of keywordList()) set.add(id);
        for (const [id] of semanticList()) set.add(id);
        selected = [...set];
      }
      const order = q.orderBy === undefined || q.orderBy === 'score' ? { field: 'id', direction: 'asc' as const } : q.orderBy;
      const sign = (order.direction ?? 'asc') === 'asc' ? 1 : -1;
      const key = (id: string): Scalar | undefined => values(this.nodes.get(id)!, order.field)[0];
      ordered = selected.sort((a, b) => {
        const ka = key(a);
        const kb = key(b);
        if (ka === undefined && kb === undefined) return byId(a, b);
        if (ka === undefined) return 1;
        if (kb === undefined) return -1;
        return sign * compare(ka, kb) || byId(a, b);
      });
    }
    return { ids: ordered.slice(offset, offset + limit), total: ordered.length, scores };
  }
}
