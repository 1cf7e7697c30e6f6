import {
  EdgeTypes,
  chatIdOf,
  deterministicEdgeId,
  nodeText,
  nodeTypeOfId,
  type ChangeEvent,
  type Edge,
  type Node,
  type NodeType,
} from '@tabagent/common';
import type { VectorHit } from '@tabagent/indexing';
import type { AssociativeLinkerConfig } from '../config/weaver-config.js';
import { DERIVED_BY, type ModuleServices } from './module-services.js';
import type { EnrichedDetail, ModuleRunContext, WeaverModule, WorkItem, WorkTarget } from './weaver-module.js';

const DAY_MS = 86_400_000;
/** Nodes whose chat and time the linker keeps in memory (a search's filter reads many). */
const PLACE_CACHE_SIZE = 50_000;
/** Embeddings remembered as linked (bounded). */
const LINKED_MEMORY = 200_000;

/** Where a node sits, as far as linking goes: its chat, its time, how many words it has. */
interface Place {
  chatId: string | undefined;
  time: number;
  words: number;
}

const WORDS = /[\p{L}\p{N}]+/gu;

/**
 * A similarity link is symmetric: whichever of the two nodes finds the other, the edge is
 * the same one (from the greater id to the smaller, with a deterministic id).
 */
export function similarityEdgeEnds(a: string, b: string): { from: string; to: string; id: string } {
  const [from, to] = a > b ? [a, b] : [b, a];
  return { from, to, id: deterministicEdgeId(from, EdgeTypes.IS_SEMANTICALLY_SIMILAR_TO, to) };
}

function placeOf(node: Node): Place {
  const timestamp = (node as { timestamp?: unknown }).timestamp;
  let words = 0;
  for (const _ of nodeText(node).matchAll(WORDS)) words++;
  return { chatId: chatIdOf(node), time: typeof timestamp === 'number' ? timestamp : node.createdAt, words };
}

/**
 * `associative-linker`: once a node's embedding (in the ML model's space) is stored, the
 * vector index is searched for the `k` most similar nodes of *other* chats within
 * `windowDays` of it, and each one at or above `threshold` gets an
 * `IS_SEMANTICALLY_SIMILAR_TO` edge carrying the cosine score — no self-links, no
 * same-chat links, no texts shorter than `minWords`, one edge per pair whichever side
 * found it. When a node's embedding
 * changes or goes away, its links are brought up to date.
 */
export class AssociativeLinker implements WeaverModule {
  readonly name = 'associative-linker';
  readonly settings: AssociativeLinkerConfig;
  readonly #services: ModuleServices;
  readonly #types: ReadonlySet<NodeType>;
  readonly #places = new Map<string, Place | null>();
  /** Embeddings linked in this process, by id → content hash: the log's later copy of a handed-off change is skipped. */
  readonly #linked = new Map<string, string>();
  #model: string | undefined;

  constructor(settings: AssociativeLinkerConfig, services: ModuleServices) {
    this.settings = settings;
    this.#services = services;
    this.#types = new Set(settings.types);
  }

  #modelId(): string {
    this.#model ??= this.#services.ml.info().embedding.model;
    return this.#model;
  }

  route(change: ChangeEvent): WorkTarget | undefined {
    if (change.entity === 'node' && change.op !== 'insert') this.#places.delete(change.id);
    if (change.entity !== 'embedding' || change.nodeId === undefined || change.kind !== this.#modelId()) return undefined;
    const type = nodeTypeOfId(change.nodeId);
    if (type === undefined || !this.#types.has(type)) return undefined;
    return { action: change.op === 'delete' ? 'unlink' : 'link', target: change.nodeId };
  }

  #place(nodeId: string): Place | null {
    let place = this.#places.get(nodeId);
    if (place === undefined) {
      const [node] = this.#services.storage.getNodesSync([nodeId]);
      place = node === undefined ? null : placeOf(node);
      if (this.#places.size >= PLACE_CACHE_SIZE) this.#places.clear();
      this.#places.set(nodeId, place);
    }
    return place;
  }

  /**
   * The `k` best accepted neighbours. An unfiltered search with room to spare comes
   * first (cheap: no filter callback per candidate); only when the accepted ones do not
   * fill `k` while the rest of that list could still clear the threshold is the index
   * searched again with the filter.
   */
  async #similar(vector: Float32Array, model: string, accept: (id: string) => boolean, signal: AbortSignal): Promise<VectorHit[]> {
    const { k, threshold } = this.settings;
    const wanted = 2 * k + 8;
    const { results } = await this.#services.vectors.search(vector, { model, k: wanted, signal });
    const accepted = results.filter((hit) => accept(hit.nodeId)).slice(0, k);
    const last = results[results.length - 1];
    if (accepted.length >= k || results.length < wanted || last === undefined || last.score < threshold) return accepted;
    return (await this.#services.vectors.search(vector, { model, k, filter: accept, signal })).results;
  }

  async process(items: readonly WorkItem[], ctx: ModuleRunContext): Promise<void> {
    const { storage, vectors } = this.#services;
    const model = this.#modelId();
    await vectors.whenReady({ signal: ctx.signal });
    const windowMs = this.settings.windowDays * DAY_MS;
    const nodes = storage.getNodesSync(items.map((i) => i.target));
    const desired = new Map<string, { from: string; to: string; score: number }>();
    const replace = new Map<string, Edge[]>();
    const linked: { item: WorkItem; node: Node; links: number }[] = [];
    const done: { id: string; contentHash: string }[] = [];
    for (let i = 0; i < items.length; i++) {
      await ctx.breathe();
      const item = items[i]!;
      const node = nodes[i];
      if (node === undefined) {
        ctx.skipped(item);
        continue;
      }
      // Edges to refresh: a changed or removed embedding may no longer justify them. A
      // first embedding keeps what others linked to it (they may rank it higher than it ranks them).
      if (item.action === 'unlink' || item.change.op === 'update') {
        const edges = (await storage.edgesOf(node.id)).filter((e) => e.type === EdgeTypes.IS_SEMANTICALLY_SIMILAR_TO);
        replace.set(node.id, edges);
      }
      if (item.action === 'unlink') {
        linked.push({ item, node, links: 0 });
        continue;
      }
      // The change names the embedding; a later one may have replaced it (then read the node's).
      const [named] = storage.getEmbeddingsSync([item.change.id]);
      const embedding = named?.nodeId === node.id && named.model === model ? named : (await storage.embeddingsOf(node.id)).find((e) => e.model === model);
      if (embedding === undefined || (item.action === 'link' && this.#linked.get(embedding.id) === embedding.contentHash && embedding.contentHash !== '')) {
        ctx.skipped(item);
        continue;
      }
      done.push(embedding);
      const own = placeOf(node);
      if (own.words < this.settings.minWords) {
        linked.push({ item, node, links: 0 });
        continue;
      }
      const accept = (id: string): boolean => {
        if (id === node.id) return false;
        const type = nodeTypeOfId(id);
        if (type === undefined || !this.#types.has(type)) return false;
        const place = this.#place(id);
        if (place === null || place.words < this.settings.minWords) return false;
        if (own.chatId !== undefined && place.chatId === own.chatId) return false;
        return Math.abs(place.time - own.time) <= windowMs;
      };
      const results = await this.#similar(embedding.vector, model, accept, ctx.signal);
      let links = 0;
      for (const hit of results) {
        if (hit.score < this.settings.threshold) continue;
        const ends = similarityEdgeEnds(node.id, hit.nodeId);
        const score = Math.round(hit.score * 1e6) / 1e6;
        const known = desired.get(ends.id);
        if (known === undefined || known.score < score) desired.set(ends.id, { from: ends.from, to: ends.to, score });
        links++;
      }
      linked.push({ item, node, links });
    }
    const batch = storage.batch();
    const existing = new Map<string, Edge>();
    for (const edges of replace.values()) for (const edge of edges) existing.set(edge.id, edge);
    for (const [id, edge] of desired) {
      const current = existing.get(id);
      if (current !== undefined && current.weight === edge.score) continue;
      batch.insertEdge(
        { id, from: edge.from, to: edge.to, type: EdgeTypes.IS_SEMANTICALLY_SIMILAR_TO, weight: edge.score, metadata: { score: edge.score, model, source: DERIVED_BY } },
        // A first link is never rewritten (the other side may have found it already); a refresh updates the score.
        { ifExists: current === undefined ? 'ignore' : 'replace' },
      );
    }
    // Refreshed nodes lose the links their new embedding (or its absence) no longer justifies.
    for (const id of existing.keys()) if (!desired.has(id)) batch.deleteEdge(id);
    if (batch.length > 0) await ctx.commit(batch);
    if (this.#linked.size + done.length > LINKED_MEMORY) this.#linked.clear();
    for (const embedding of done) this.#linked.set(embedding.id, embedding.contentHash);
    for (const { item, node, links } of linked) {
      const chatId = chatIdOf(node);
      const detail: EnrichedDetail = { nodeId: node.id, kind: node.type, links };
      if (chatId !== undefined) detail.chatId = chatId;
      ctx.enriched(item, detail);
    }
  }
}
