// The baseline: the same converged query answered without any index — full scans of
// the message, edge and embedding stores, as a database without indexes would.
import type { Storage } from '@tabagent/storage';
import { cosine } from '@tabagent/indexing';

export interface ConvergedParams {
  entity: string;
  since: number;
  vector: Float32Array;
  model: string;
  limit: number;
}

export async function bruteForceConverged(storage: Storage, p: ConvergedParams): Promise<string[]> {
  const recent = new Set<string>();
  for await (const chunk of storage.scanNodes({ types: ['Message'] })) {
    for (const node of chunk) if (node.type === 'Message' && node.timestamp >= p.since) recent.add(node.id);
  }
  const candidates = new Set<string>();
  for await (const chunk of storage.scanEdges()) {
    for (const edge of chunk) if (edge.type === 'MENTIONS' && edge.to === p.entity && recent.has(edge.from)) candidates.add(edge.from);
  }
  const scored: { id: string; score: number }[] = [];
  for await (const chunk of storage.scanEmbeddings()) {
    for (const embedding of chunk) {
      if (embedding.model === p.model && candidates.has(embedding.nodeId)) scored.push({ id: embedding.nodeId, score: cosine(p.vector, embedding.vector) });
    }
  }
  return scored
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .slice(0, p.limit)
    .map((s) => s.id);
}
