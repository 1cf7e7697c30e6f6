import {
  EdgeTypes,
  chatIdOf,
  deterministicEdgeId,
  entityId,
  nodeText,
  normaliseLabel,
  type ChangeEvent,
  type Edge,
  type Entity,
  type NewNodeOf,
  type Node,
  type NodeType,
} from '@tabagent/common';
import type { MlEntity } from '@tabagent/ml-bridge';
import type { WriteBatch } from '@tabagent/storage';
import type { EntityLinkerConfig } from '../config/weaver-config.js';
import { changesText } from '../text/text-fields.js';
import type { PreparedText } from '../text/prepared-text.js';
import { Mutex } from '../util/mutex.js';
import { DERIVED_BY, type ModuleServices } from './module-services.js';
import type { EnrichedDetail, ModuleRunContext, WeaverModule, WorkItem, WorkTarget } from './weaver-module.js';

/** Where an entity occurs in the node's text (UTF-16 offsets, end exclusive). */
export interface MentionSpan {
  start: number;
  end: number;
  text: string;
}

/** What a `MENTIONS` edge the weaver writes carries in its metadata. */
export interface MentionMetadata {
  /** Highest confidence over the spans (also the edge's weight). */
  confidence: number;
  spans: MentionSpan[];
  /** The NER model that found it. */
  model: string;
  source: typeof DERIVED_BY;
  /** Present when the text was cut before NER: spans cover its first `searchedLength` characters. */
  truncated?: { searchedLength: number; textLength: number };
}

interface Mention {
  entity: NewNodeOf<'Entity'> & { id: string };
  confidence: number;
  spans: MentionSpan[];
}

function sameMention(edge: Edge, confidence: number, spans: readonly MentionSpan[]): boolean {
  const metadata = edge.metadata as Partial<MentionMetadata>;
  return edge.weight === confidence && JSON.stringify(metadata.spans) === JSON.stringify(spans);
}

/**
 * `entity-linker`: NER over a node's text → Entity nodes upserted by deterministic id
 * (same type and case/whitespace-normalised label → same node) → one `MENTIONS` edge per
 * (node, entity) with deterministic id, the confidence as weight and every span in its
 * metadata. Re-processing a node rewrites nothing that is unchanged and removes the
 * mentions its new text no longer has. An entity the weaver created that is left with no
 * mentions (and no other edges) is removed unless it is pinned.
 */
export class EntityLinker implements WeaverModule {
  readonly name = 'entity-linker';
  readonly settings: EntityLinkerConfig;
  readonly #services: ModuleServices;
  readonly #types: ReadonlySet<NodeType>;
  readonly #entityTypes: ReadonlySet<string>;
  /** Writes and orphan removals never interleave: a check-then-delete must not race a new mention. */
  readonly #writes = new Mutex();

  constructor(settings: EntityLinkerConfig, services: ModuleServices) {
    this.settings = settings;
    this.#services = services;
    this.#types = new Set(settings.types);
    this.#entityTypes = new Set(settings.entityTypes);
  }

  route(change: ChangeEvent): WorkTarget | undefined {
    if (changesText(change) && this.#types.has(change.kind as NodeType)) return { action: 'link', target: change.id };
    if (
      this.settings.removeOrphans &&
      change.entity === 'edge' &&
      change.op === 'delete' &&
      change.kind === EdgeTypes.MENTIONS &&
      change.to !== undefined
    ) {
      return { action: 'gc', target: change.to };
    }
    return undefined;
  }

  async process(items: readonly WorkItem[], ctx: ModuleRunContext): Promise<void> {
    const links = items.filter((i) => i.action === 'link');
    const orphans = items.filter((i) => i.action === 'gc');
    if (links.length > 0) await this.#link(links, ctx);
    if (orphans.length > 0) await this.#removeOrphans(orphans, ctx);
  }

  #mentions(node: Node, found: readonly MlEntity[]): Map<string, Mention> {
    const byEntity = new Map<string, Mention>();
    for (const entity of found) {
      if (!this.#entityTypes.has(entity.label) || entity.score < this.settings.minConfidence) continue;
      const label = entity.text.trim().replace(/\s+/gu, ' ');
      if (normaliseLabel(label) === '' || label.length > 1_000) continue;
      const id = entityId(entity.label, label);
      let mention = byEntity.get(id);
      if (mention === undefined) {
        mention = {
          entity: { id, type: 'Entity', label, entityType: entity.label, metadata: { source: DERIVED_BY, firstSeenIn: node.id } },
          confidence: 0,
          spans: [],
        };
        byEntity.set(id, mention);
      }
      mention.confidence = Math.max(mention.confidence, Math.round(entity.score * 1e6) / 1e6);
      mention.spans.push({ start: entity.start, end: entity.end, text: entity.text });
    }
    return byEntity;
  }

  async #link(items: readonly WorkItem[], ctx: ModuleRunContext): Promise<void> {
    const { storage, ml } = this.#services;
    const nodes = storage.getNodesSync(items.map((i) => i.target));
    const work: { item: WorkItem; node: Node; text: PreparedText }[] = [];
    items.forEach((item, i) => {
      const node = nodes[i];
      if (node === undefined) {
        ctx.skipped(item);
        return;
      }
      const text = this.#services.prepare(node.id, nodeText(node), this.name);
      if (text.truncated) ctx.note('truncated');
      work.push({ item, node, text });
    });
    const texts = work.map((w) => w.text.text);
    const found = texts.some((t) => t.trim() !== '') ? await ml.extractEntities(texts, ctx.signal) : texts.map(() => []);
    const model = ml.info().entities.model;
    // A node's first linking finds no mentions to diff against — and if this is a replay of
    // its insert, the edges written before carry the same ids and are simply rewritten; a
    // later text change comes with its own update change, which diffs.
    const planned = await Promise.all(
      work.map(async (w, i) => ({
        ...w,
        mentions: this.#mentions(w.node, found[i] ?? []),
        existing: w.item.change.op === 'insert' ? new Map<string, Edge>() : await this.#existingMentions(w.node.id),
      })),
    );
    await this.#writes.run(async () => {
      ctx.signal.throwIfAborted();
      const batch = storage.batch();
      const upserted = new Set<string>();
      for (const { node, text, mentions, existing } of planned) {
        for (const [id, mention] of mentions) {
          if (!upserted.has(id)) {
            upserted.add(id);
            batch.insertNode(mention.entity, { ifExists: 'ignore' });
          }
          const edgeId = deterministicEdgeId(node.id, EdgeTypes.MENTIONS, id);
          const current = existing.get(edgeId);
          if (current !== undefined && sameMention(current, mention.confidence, mention.spans)) continue;
          const metadata: MentionMetadata = { confidence: mention.confidence, spans: mention.spans, model, source: DERIVED_BY };
          if (text.truncated) metadata.truncated = { searchedLength: text.text.length, textLength: text.originalLength };
          batch.insertEdge(
            { id: edgeId, from: node.id, to: id, type: EdgeTypes.MENTIONS, weight: mention.confidence, metadata: metadata as unknown as Record<string, unknown> },
            { ifExists: 'replace' },
          );
        }
        for (const [edgeId, edge] of existing) if (!mentions.has(edge.to)) batch.deleteEdge(edgeId);
      }
      if (batch.length > 0) await ctx.commit(batch);
    });
    for (const { item, node, mentions } of planned) {
      const chatId = chatIdOf(node);
      const detail: EnrichedDetail = { nodeId: node.id, kind: node.type, entities: [...mentions.keys()] };
      if (chatId !== undefined) detail.chatId = chatId;
      ctx.enriched(item, detail);
    }
  }

  /** The MENTIONS edges a node has now, by edge id. */
  async #existingMentions(nodeId: string): Promise<Map<string, Edge>> {
    const edges = await this.#services.storage.edgesOf(nodeId);
    return new Map(edges.filter((e) => e.type === EdgeTypes.MENTIONS && e.from === nodeId).map((e) => [e.id, e]));
  }

  async #removeOrphans(items: readonly WorkItem[], ctx: ModuleRunContext): Promise<void> {
    const { storage } = this.#services;
    await this.#writes.run(async () => {
      ctx.signal.throwIfAborted();
      const batch: WriteBatch = storage.batch();
      const removed: WorkItem[] = [];
      const entities = storage.getNodesSync(items.map((i) => i.target));
      for (let i = 0; i < items.length; i++) {
        await ctx.breathe();
        const item = items[i]!;
        const entity = entities[i];
        if (!this.#removable(entity) || (await storage.edgesOf(entity.id)).length > 0) {
          ctx.skipped(item);
          continue;
        }
        batch.deleteNode(entity.id);
        removed.push(item);
      }
      if (batch.length > 0) await ctx.commit(batch);
      for (const item of removed) ctx.enriched(item, { nodeId: item.target, kind: 'Entity', removed: true });
    });
  }

  #removable(node: Node | undefined): node is Entity {
    return node?.type === 'Entity' && node.pinned !== true && node.metadata['source'] === DERIVED_BY;
  }
}
