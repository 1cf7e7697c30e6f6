import type { Node } from '@tabagent/common';
import type { Storage } from '@tabagent/storage';

/** Point reads of nodes for one query, each node read at most once. */
export class NodeReader {
  readonly #storage: Storage;
  readonly #cache = new Map<string, Node | null>();

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** Records read so far (for explain). */
  get reads(): number {
    return this.#cache.size;
  }

  get(id: string): Node | undefined {
    let node = this.#cache.get(id);
    if (node === undefined) {
      node = this.#storage.getNodesSync([id])[0] ?? null;
      this.#cache.set(id, node);
    }
    return node ?? undefined;
  }

  /** Reads the ids not read yet in one pass (warms the cache). */
  prefetch(ids: readonly string[]): void {
    const missing = ids.filter((id) => !this.#cache.has(id));
    if (missing.length === 0) return;
    const nodes = this.#storage.getNodesSync(missing);
    for (let i = 0; i < missing.length; i++) this.#cache.set(missing[i]!, nodes[i] ?? null);
  }
}
