/**
 * A first-come, first-served async lock: `run(fn)` calls never overlap. The entity
 * linker holds it around its check-then-write steps so that removing an orphaned entity
 * can never race with a new mention of it.
 */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
