import type { TabAgent } from 'tabagent';

/** Longest a short command waits for the vector index before it ranks by meaning. */
const VECTOR_WAIT_MS = 30_000;

/**
 * A short command opens the database and queries at once, while the vector index is
 * still loading in the background; until it is loaded the query engine sees no
 * embedding space and ranks nothing by meaning. So semantic queries wait for it (a
 * snapshot loads in well under a second). On timeout or failure the query runs anyway.
 */
export async function vectorsLoaded(db: TabAgent): Promise<void> {
  await db.whenVectorsReady({ timeoutMs: VECTOR_WAIT_MS }).catch(() => undefined);
}
