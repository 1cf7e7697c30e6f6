import { embeddingSpace } from '@tabagent/common';
import type { Storage } from '@tabagent/storage';
import type { SpaceEntries } from './protocol.js';
import { vectorFingerprint } from './vector-worker.js';

/** What `verify()` found; shaped like the other indexes' drift reports. */
export interface VectorDriftReport {
  index: 'vector';
  /** Embeddings in the store the index lacks. */
  missing: number;
  /** Index entries with no embedding in the store. */
  extra: number;
  /** Stale entries (older vector, other node or space) and internal inconsistencies. */
  mismatched: number;
  examples: string[];
  ok: boolean;
  /** Change-log sequence both sides were compared at. */
  seq: number;
  /** Embeddings in the store, per space. */
  stored: Record<string, number>;
}

/** Compares everything a worker indexes with the embeddings store (call with writes paused). */
export async function compareWithStore(
  spaces: readonly SpaceEntries[],
  storage: Storage,
  options: { seq: number; batchSize: number; signal: AbortSignal | undefined },
): Promise<VectorDriftReport> {
  const indexed = new Map<string, { space: string; nodeId: string; fingerprint: number }>();
  const report: VectorDriftReport = { index: 'vector', missing: 0, extra: 0, mismatched: 0, examples: [], ok: true, seq: options.seq, stored: {} };
  const note = (text: string): void => {
    if (report.examples.length < 10) report.examples.push(text);
  };
  for (const space of spaces) {
    space.ids.forEach((id, i) => indexed.set(id, { space: space.space, nodeId: space.nodeIds[i]!, fingerprint: space.fingerprints[i]! }));
    const broken = Math.abs(space.indexSize - space.count) + space.lostKeys;
    if (broken > 0) {
      report.mismatched += broken;
      note(`${space.space}: usearch holds ${space.indexSize} vectors for ${space.count} mapped, ${space.lostKeys} keys lost`);
    }
  }
  for await (const chunk of storage.scanEmbeddings({ batchSize: options.batchSize, signal: options.signal })) {
    for (const embedding of chunk) {
      const space = embeddingSpace(embedding.model, embedding.dims);
      report.stored[space] = (report.stored[space] ?? 0) + 1;
      const entry = indexed.get(embedding.id);
      if (entry === undefined) {
        report.missing++;
        note(`missing ${embedding.id}`);
        continue;
      }
      indexed.delete(embedding.id);
      if (entry.space !== space || entry.nodeId !== embedding.nodeId || entry.fingerprint !== vectorFingerprint(embedding.vector)) {
        report.mismatched++;
        note(`stale ${embedding.id}`);
      }
    }
  }
  report.extra = indexed.size;
  for (const id of [...indexed.keys()].slice(0, 10)) note(`extra ${id}`);
  report.ok = report.missing === 0 && report.extra === 0 && report.mismatched === 0;
  return report;
}
