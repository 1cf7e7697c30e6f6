import type { ChangeEvent } from '@tabagent/common';

/**
 * What transports push to subscribers: every committed change, and each enrichment
 * the weaver finishes (a module done with a node).
 */
export type TabAgentEvent =
  | { kind: 'change'; seq: number; change: ChangeEvent }
  | { kind: 'enriched'; nodeId: string; module: string; chatId?: string; nodeKind?: string; at: number };

/** Narrows a subscription; every given part must match. */
export interface EventFilter {
  /** Only events of these kinds (`change`, `enriched`). */
  kinds?: readonly TabAgentEvent['kind'][];
  /** Only events about this chat. */
  chatId?: string;
  /** Only events about nodes of these types (e.g. `Message`), or edges/embeddings of these kinds. */
  nodeKinds?: readonly string[];
}

/** True when `event` passes `filter`. */
export function matchesEventFilter(event: TabAgentEvent, filter: EventFilter = {}): boolean {
  if (filter.kinds !== undefined && !filter.kinds.includes(event.kind)) return false;
  const chatId = event.kind === 'change' ? event.change.chatId : event.chatId;
  if (filter.chatId !== undefined && chatId !== filter.chatId) return false;
  const kind = event.kind === 'change' ? event.change.kind : event.nodeKind;
  if (filter.nodeKinds !== undefined && (kind === undefined || !filter.nodeKinds.includes(kind))) return false;
  return true;
}
