import type { Priority, PriorityRank } from '../priority/priority.js';
import type { TaskContext } from './task.js';

/** Internal: aborts one run. A symbol so task code cannot call it by accident. */
export const abortRun: unique symbol = Symbol('abortRun');

/** The minimal view of a task an attempt needs (avoids a cycle with the record). */
interface AttemptOwner {
  readonly id: number;
  readonly key: string | undefined;
  readonly priority: Priority;
  readonly rank: PriorityRank;
}

/** Where `yield()` waits for its turn (the scheduler's yield queue). */
export interface YieldTarget {
  wait(rank: PriorityRank, run: { throwIfAborted(): void }): Promise<void>;
}

/**
 * The context of one run of a task. Each run gets its own, so a run that outlived its
 * timeout keeps seeing its own (aborted) signal and never the signal of the retry that
 * replaced it. The `AbortController` is created lazily because constructing an
 * `AbortSignal` dominates the cost of a no-op task otherwise.
 */
export class AttemptContext implements TaskContext {
  readonly #owner: AttemptOwner;
  readonly #yields: YieldTarget;
  readonly attempt: number;
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;

  constructor(owner: AttemptOwner, attempt: number, yields: YieldTarget) {
    this.#owner = owner;
    this.attempt = attempt;
    this.#yields = yields;
  }

  get id(): number {
    return this.#owner.id;
  }

  get key(): string | undefined {
    return this.#owner.key;
  }

  get priority(): Priority {
    return this.#owner.priority;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  throwIfAborted(): void {
    if (this.#aborted) throw this.#reason;
  }

  yield(): Promise<void> {
    if (this.#aborted) return Promise.reject(this.#reason);
    return this.#yields.wait(this.#owner.rank, this);
  }

  /** Aborts this run once; later calls keep the first reason. */
  [abortRun](reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}
