import type { PriorityRank } from '../priority/priority.js';
import { RingQueue } from '../queue/ring-queue.js';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly run: { throwIfAborted(): void };
}

/**
 * Resumes tasks that called `ctx.yield()`: one per event-loop turn, most important
 * first. Resuming a single task per turn is the point — each resumption is a macrotask,
 * so timers and I/O (such as the message carrying the user's next request) run between
 * any two slices of background work, and the loop is never blocked for longer than one
 * slice no matter how many CPU-heavy tasks are running.
 *
 * @example
 * await yields.wait(task.rank, run); // inside ctx.yield()
 */
export class YieldQueue {
  readonly #queues: [RingQueue<Waiter>, RingQueue<Waiter>, RingQueue<Waiter>] = [
    new RingQueue(),
    new RingQueue(),
    new RingQueue(),
  ];
  #size = 0;
  #scheduled: ReturnType<typeof setImmediate> | undefined;

  /** Tasks currently waiting to be resumed. */
  get size(): number {
    return this.#size;
  }

  /** Resolves when it is this run's turn again; rejects if the run was aborted meanwhile. */
  wait(rank: PriorityRank, run: Waiter['run']): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queues[rank].push({ resolve, reject, run });
      this.#size++;
      this.#scheduled ??= setImmediate(this.#resumeOne);
    });
  }

  readonly #resumeOne = (): void => {
    this.#scheduled = undefined;
    const waiter = this.#queues[0].shift() ?? this.#queues[1].shift() ?? this.#queues[2].shift();
    if (waiter === undefined) return;
    this.#size--;
    if (this.#size > 0) this.#scheduled = setImmediate(this.#resumeOne);
    try {
      waiter.run.throwIfAborted();
      waiter.resolve();
    } catch (reason) {
      waiter.reject(reason);
    }
  };
}
