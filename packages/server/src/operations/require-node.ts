import { DbError, entityId, ID_PREFIXES, isNodeType, nodeTypeOfId, type NodeType } from '@tabagent/common';
import type { EntityRef } from '@tabagent/query';
import type { TabAgent } from 'tabagent';

/**
 * Fails with `NOT_FOUND` naming the input field when a node an operation starts from does
 * not exist (or is not of `type`), so every transport answers a missing node alike
 * instead of an empty result.
 */
export async function requireNodes(db: TabAgent, byField: Record<string, string>, type?: NodeType): Promise<void> {
  const fields = Object.keys(byField);
  const nodes = await db.getNodes(fields.map((field) => byField[field]!));
  fields.forEach((field, i) => {
    const node = nodes[i];
    if (node === undefined || (type !== undefined && node.type !== type)) {
      const id = byField[field]!;
      throw new DbError('NOT_FOUND', `${field}: no ${type ?? 'node'} ${id}`, { details: { field, id } });
    }
  });
}

/** The id of the entity a reference names (an id, or its type and label). */
export function entityIdOf(ref: EntityRef): string {
  return typeof ref === 'string' ? ref : entityId(ref.entityType, ref.label);
}

/**
 * Fails with `INVALID_ARGUMENT` when a new node names its own id with another kind's
 * prefix (a Message `chat_x1`): ids say what they name, and every reader relies on it.
 *
 * @param field the nodes' field prefix, e.g. `nodes` (errors name `nodes.3.id`), or `''` for one node.
 */
export function requireIdPrefixes(nodes: readonly unknown[], field: string): void {
  nodes.forEach((node, i) => {
    const { type, id } = (node ?? {}) as { type?: unknown; id?: unknown };
    if (typeof id !== 'string' || typeof type !== 'string' || !isNodeType(type)) return;
    const prefix = ID_PREFIXES[type];
    if (!id.startsWith(`${prefix}_`) || nodeTypeOfId(id) !== type) {
      const at = field === '' ? 'id' : `${field}.${i}.id`;
      throw new DbError('INVALID_ARGUMENT', `${at}: a ${type} id starts with "${prefix}_"`, { details: { field: at } });
    }
  });
}
