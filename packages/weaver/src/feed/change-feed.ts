import { DbError, type ChangeEvent } from '@tabagent/common';
import type { ChangeConsumer, ExtensionContext } from '@tabagent/storage';

/** What the feed hands its changes to. */
export interface FeedTarget {
  /** True while reading should pause (too many changes in flight). */
  saturated(): boolean;
  /** Takes a stretch of the log, in order; resolves once it is routed. */
  deliver(events: readonly ChangeEvent[]): Promise<void>;
  /**
   * The log no longer holds the changes after `after` (it was compacted): re-reads the
   * whole store instead and returns the sequence number that covers.
   */
  backfill(after: number, firstInLog: number): Promise<number>;
  /** A failure while reading; the feed retries after a pause. */
  onError(error: DbError): void;
}

/** Pause after a failed read before the next try, in ms. */
const RETRY_MS = 1_000;

/**
 * The weaver's durable change follower: storage's `consume` from the weaver's cursor —
 * the log while behind, live commits once level — so nothing committed while the weaver
 * was down or busy is missed. Pauses while its target is saturated (commits then stay in
 * the log, not in memory). `ack` moves the durable cursor, which lets storage compact.
 */
export class ChangeFeed {
  readonly #context: ExtensionContext;
  readonly #target: FeedTarget;
  readonly #batchSize: number;
  readonly #after: number;
  #consumer: ChangeConsumer | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(context: ExtensionContext, target: FeedTarget, after: number, batchSize: number) {
    this.#context = context;
    this.#target = target;
    this.#after = after;
    this.#batchSize = batchSize;
  }

  /** Sequence number of the last change read. */
  get readSeq(): number {
    return this.#consumer?.position ?? this.#after;
  }

  start(): void {
    if (this.#consumer !== undefined) return;
    this.#consumer = this.#context.consume({
      durable: true,
      after: this.#after,
      batchSize: this.#batchSize,
      // Commits stay in the log while the weaver is saturated, not in memory.
      maxQueued: this.#batchSize,
      retryMs: RETRY_MS,
      handle: async ({ events }) => {
        while (this.#target.saturated() && !this.#stopped) await new Promise<void>((resolve) => (this.#wake = resolve));
        if (this.#stopped) throw new DbError('ABORTED', 'the weaver is closing');
        await this.#target.deliver(events);
      },
      onGap: (after, first) => this.#target.backfill(after, first),
      onError: (error) => {
        if (!this.#stopped) this.#target.onError(error);
      },
    });
  }

  /** Something changed (work finished): look again. */
  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
    this.#consumer?.wake();
  }

  /** Persists the cursor: every change up to `seq` is done. */
  async ack(seq: number): Promise<void> {
    await this.#consumer?.ack(seq);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.wake();
    await this.#consumer?.stop();
  }
}
