import { DbError, EdgeTypes, type Entity, entityId, type Node, type NodeType, nodeTypeOfId, throwIfAborted } from '@tabagent/common';
import type { QueryContext } from '../query-context.js';
import { compareIds, compareStrings } from '../util/compare.js';
import { pageBounds, requireId, toPage, type Page, type PageOptions } from './page.js';

/** An entity a node mentions, with how often and how confidently. */
export interface EntityMention {
  entity: Entity;
  /** MENTIONS edges from the node to the entity (one per span, usually). */
  mentions: number;
  /** Highest edge weight (confidence), when edges carry one. */
  weight?: number;
  edgeIds: string[];
}

/** Names an entity by id, or by type and label (its deterministic id). */
export type EntityRef = string | { entityType: string; label: string };

export function resolveEntityRef(ref: EntityRef, field = 'entity'): string {
  if (typeof ref === 'string') return requireId(ref, field);
  if (typeof ref !== 'object' || ref === null || typeof ref.entityType !== 'string' || typeof ref.label !== 'string') {
    throw new DbError('INVALID_ARGUMENT', `${field}: expected an entity id or { entityType, label }`, { details: { field } });
  }
  return entityId(ref.entityType, ref.label);
}

/**
 * The entities a node mentions (its outgoing MENTIONS edges), most confident first,
 * then by label.
 */
export async function entitiesMentionedBy(ctx: QueryContext, nodeId: string, options: { signal?: AbortSignal } = {}): Promise<EntityMention[]> {
  requireId(nodeId, 'nodeId');
  const neighbors = await ctx.graph.neighbors(nodeId, { direction: 'out', edgeTypes: [EdgeTypes.MENTIONS] });
  throwIfAborted(options.signal);
  const byEntity = new Map<string, { mentions: number; weight?: number; edgeIds: string[] }>();
  for (const n of neighbors) {
    let entry = byEntity.get(n.nodeId);
    if (entry === undefined) byEntity.set(n.nodeId, (entry = { mentions: 0, edgeIds: [] }));
    entry.mentions++;
    entry.edgeIds.push(n.edgeId);
    if (n.weight !== undefined && (entry.weight === undefined || n.weight > entry.weight)) entry.weight = n.weight;
  }
  const ids = [...byEntity.keys()];
  const result: EntityMention[] = [];
  ctx.storage.getNodesSync(ids).forEach((node, i) => {
    if (node?.type !== 'Entity') return;
    const entry = byEntity.get(ids[i]!)!;
    const mention: EntityMention = { entity: node, mentions: entry.mentions, edgeIds: entry.edgeIds.sort() };
    if (entry.weight !== undefined) mention.weight = entry.weight;
    result.push(mention);
  });
  return result.sort(
    (a, b) => (b.weight ?? -Infinity) - (a.weight ?? -Infinity) || b.mentions - a.mentions || compareStrings(a.entity.label, b.entity.label) || compareIds(a.entity.id, b.entity.id),
  );
}

export interface NodesMentioningOptions extends PageOptions {
  /** Only nodes of these kinds. */
  types?: readonly NodeType[];
}

/**
 * The nodes that mention an entity (incoming MENTIONS edges), newest first (node ids
 * are time-ordered), paged.
 *
 * @example await engine.nodesMentioning({ entityType: 'LOCATION', label: 'Paris' }, { types: ['Message'] })
 */
export async function nodesMentioning(ctx: QueryContext, entity: EntityRef, options: NodesMentioningOptions = {}): Promise<Page<Node>> {
  const id = resolveEntityRef(entity);
  const { limit, offset } = pageBounds(options, ctx.limits.maxLimit);
  const neighbors = await ctx.graph.neighbors(id, { direction: 'in', edgeTypes: [EdgeTypes.MENTIONS] });
  throwIfAborted(options.signal);
  const types = options.types === undefined ? undefined : new Set<string>(options.types);
  const ids = [...new Set(neighbors.map((n) => n.nodeId))]
    .filter((nodeId) => types === undefined || types.has(nodeTypeOfId(nodeId) ?? ''))
    .sort((a, b) => compareIds(b, a));
  const page = toPage(ids, limit, offset);
  const nodes = ctx.storage.getNodesSync(page.items).filter((n): n is Node => n !== undefined);
  const result: Page<Node> = { items: nodes, total: page.total };
  if (page.nextOffset !== undefined) result.nextOffset = page.nextOffset;
  return result;
}
