import { chatIdOf, type ChangeEvent } from '@tabagent/common';
import type { Storage } from '@tabagent/storage';

/**
 * The whole store as insert changes, chunk by chunk — what the weaver reads when the log
 * was compacted past its cursor: every node, then every embedding. Each change carries
 * `seq`, the log position the scan started at.
 */
export async function* storeAsChanges(storage: Storage, seq: number, at: number, signal?: AbortSignal): AsyncGenerator<ChangeEvent[]> {
  for await (const nodes of storage.scanNodes(signal === undefined ? {} : { signal })) {
    yield nodes.map((node) => {
      const chatId = chatIdOf(node);
      const event: ChangeEvent = { seq, op: 'insert', entity: 'node', id: node.id, kind: node.type, at };
      if (chatId !== undefined) event.chatId = chatId;
      return event;
    });
  }
  for await (const embeddings of storage.scanEmbeddings(signal === undefined ? {} : { signal })) {
    yield embeddings.map((e): ChangeEvent => ({ seq, op: 'insert', entity: 'embedding', id: e.id, kind: e.model, at, nodeId: e.nodeId }));
  }
}
