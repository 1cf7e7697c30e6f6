import { DbError, chatIdOf, nodeText, stableDigest, type ChangeEvent, type Embedding, type Node, type NodeType } from '@tabagent/common';
import type { SemanticIndexerConfig } from '../config/weaver-config.js';
import { changesText } from '../text/text-fields.js';
import type { PreparedText } from '../text/prepared-text.js';
import type { ModuleServices } from './module-services.js';
import type { EnrichedDetail, ModuleRunContext, WeaverModule, WorkItem, WorkTarget } from './weaver-module.js';

/**
 * The embedding id the weaver gives a node in a model's space: deterministic, so
 * embedding a node again (a replay after a crash, a text change) replaces the record
 * instead of adding a second one.
 */
export function embeddingIdFor(nodeId: string, model: string): string {
  return `emb_${stableDigest('embedding', nodeId, model)}`;
}

/**
 * What a vector from the provider is good for: `ok`; `empty` when it is all zeros (the
 * text had nothing the model could embed, such as only punctuation or emoji for a
 * lexical model — nothing to store, nothing to retry); `invalid` when it has non-finite
 * components (a provider fault).
 */
function vectorQuality(vector: Float32Array, dims: number | undefined): 'ok' | 'empty' | 'invalid' {
  if (vector.length === 0 || (dims !== undefined && vector.length !== dims)) return 'invalid';
  let norm = 0;
  for (let i = 0; i < vector.length; i++) {
    const value = vector[i]!;
    if (!Number.isFinite(value)) return 'invalid';
    norm += value * value;
  }
  return norm > 0 ? 'ok' : 'empty';
}

interface Todo {
  item: WorkItem;
  node: Node;
  text: PreparedText;
  id: string;
  replaces: boolean;
}

/**
 * `semantic-indexer`: a text-bearing node created, or its text changed → its text is
 * embedded (batched: one ML call per batch) and stored as an Embedding record in the
 * ML model's space; the vector index follows the store by itself. Nothing is written
 * when an embedding of the same model and content hash exists. A node whose text
 * became empty loses its embedding.
 */
export class SemanticIndexer implements WeaverModule {
  readonly name = 'semantic-indexer';
  readonly settings: SemanticIndexerConfig;
  readonly #services: ModuleServices;
  readonly #types: ReadonlySet<NodeType>;

  constructor(settings: SemanticIndexerConfig, services: ModuleServices) {
    this.settings = settings;
    this.#services = services;
    this.#types = new Set(settings.types);
  }

  route(change: ChangeEvent): WorkTarget | undefined {
    if (!changesText(change) || !this.#types.has(change.kind as NodeType)) return undefined;
    return { action: 'embed', target: change.id };
  }

  /**
   * The node's embedding in `model`'s space. A first embedding looks up its own id only
   * (a read, not a scan); after a change of text the node's embeddings are scanned, so one
   * stored by someone else under another id is replaced rather than doubled.
   */
  async #existing(nodeId: string, model: string, fresh: boolean): Promise<Embedding | undefined> {
    const { storage } = this.#services;
    const [own] = storage.getEmbeddingsSync([embeddingIdFor(nodeId, model)]);
    if (own !== undefined || fresh) return own;
    return (await storage.embeddingsOf(nodeId)).find((e) => e.model === model);
  }

  async process(items: readonly WorkItem[], ctx: ModuleRunContext): Promise<void> {
    const { storage, ml } = this.#services;
    const model = ml.info().embedding.model;
    const nodes = storage.getNodesSync(items.map((i) => i.target));
    const todo: Todo[] = [];
    const stale: Embedding[] = [];
    for (let i = 0; i < items.length; i++) {
      await ctx.breathe();
      const item = items[i]!;
      const node = nodes[i];
      if (node === undefined) {
        ctx.skipped(item); // deleted since: storage removed its embeddings with it
        continue;
      }
      const text = this.#services.prepare(node.id, nodeText(node), this.name);
      if (text.truncated) ctx.note('truncated');
      const existing = await this.#existing(node.id, model, item.change.op === 'insert');
      if (text.text.trim() === '') {
        if (existing !== undefined) stale.push(existing);
        else ctx.skipped(item);
        ctx.note('empty');
        continue;
      }
      if (existing?.contentHash === text.hash) {
        ctx.skipped(item);
        continue;
      }
      todo.push({ item, node, text, id: existing?.id ?? embeddingIdFor(node.id, model), replaces: existing !== undefined });
    }
    const vectors = todo.length === 0 ? [] : await ml.embed(todo.map((t) => t.text.text), ctx.signal);
    if (vectors.length !== todo.length) {
      throw new DbError('INTERNAL', `the ML provider returned ${vectors.length} vectors for ${todo.length} texts`);
    }
    const batch = storage.batch();
    const written: Todo[] = [];
    const dims = vectors.length > 0 ? vectors[0]!.length : undefined;
    for (let i = 0; i < todo.length; i++) {
      const t = todo[i]!;
      const vector = vectors[i]!;
      const quality = vectorQuality(vector, dims);
      if (quality === 'invalid') {
        ctx.fail(t.item, new DbError('INTERNAL', `the ML provider returned an invalid vector for ${t.node.id}`, { details: { id: t.node.id } }));
        continue;
      }
      if (quality === 'empty') {
        // Nothing embeddable: like an empty text (a stale embedding goes).
        ctx.note('unembeddable');
        const existing = await this.#existing(t.node.id, model, !t.replaces);
        if (existing !== undefined) stale.push(existing);
        else ctx.skipped(t.item);
        continue;
      }
      batch.putEmbedding({ id: t.id, nodeId: t.node.id, model, vector: vector as Float32Array<ArrayBuffer>, contentHash: t.text.hash });
      written.push(t);
    }
    for (const embedding of stale) batch.deleteEmbedding(embedding.id);
    if (batch.length > 0) await ctx.commit(batch);
    const at = this.#services.now();
    for (const t of written) {
      ctx.handOff(t.item, { seq: t.item.change.seq, op: t.replaces ? 'update' : 'insert', entity: 'embedding', id: t.id, kind: model, at, nodeId: t.node.id });
      const detail: EnrichedDetail = { nodeId: t.node.id, kind: t.node.type, embeddingId: t.id, model, truncated: t.text.truncated };
      const chatId = chatIdOf(t.node);
      if (chatId !== undefined) detail.chatId = chatId;
      ctx.enriched(t.item, detail);
    }
  }
}
