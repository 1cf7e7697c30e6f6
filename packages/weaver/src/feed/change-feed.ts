import { DbError, type ChangeEvent } from '@tabagent/common';
import type { Storage } from '@tabagent/storage';

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
 * Reads storage's change log from a cursor, stretch by stretch, and waits for commits
 * when it reaches the end — the durable log, not in-memory events, so nothing committed
 * while the weaver was down or busy is missed. Pauses while its target is saturated.
 */
export class ChangeFeed {
  readonly #storage: Storage;
  readonly #target: FeedTarget;
  readonly #batchSize: number;
  #readSeq: number;
  #running: Promise<void> | undefined;
  #stopped = false;
  #wakeRequested = false;
  #wake: (() => void) | undefined;
  readonly #onCommit = (): void => this.wake();

  constructor(storage: Storage, target: FeedTarget, after: number, batchSize: number) {
    this.#storage = storage;
    this.#target = target;
    this.#readSeq = after;
    this.#batchSize = batchSize;
  }

  /** Sequence number of the last change read. */
  get readSeq(): number {
    return this.#readSeq;
  }

  start(): void {
    if (this.#running !== undefined) return;
    this.#storage.on('commit', this.#onCommit);
    this.#running = this.#loop();
  }

  /** Something changed (a commit, work finished): look again. */
  wake(): void {
    const wake = this.#wake;
    if (wake === undefined) {
      this.#wakeRequested = true;
      return;
    }
    this.#wake = undefined;
    wake();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#storage.off('commit', this.#onCommit);
    this.wake();
    await this.#running;
  }

  #sleep(ms?: number): Promise<void> {
    if (this.#wakeRequested || this.#stopped) {
      this.#wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.wake(), ms);
      this.#wake = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
    });
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      if (this.#target.saturated()) {
        await this.#sleep();
        continue;
      }
      let events: ChangeEvent[];
      try {
        if (this.#storage.status !== 'open') return;
        // Clear before reading: a commit landing during the read wakes the next sleep.
        this.#wakeRequested = false;
        events = await this.#storage.readChanges({ after: this.#readSeq, limit: this.#batchSize });
        if (events.length === 0) {
          await this.#sleep();
          continue;
        }
        // Compaction always keeps the newest entry, so a gap shows as a first entry further on.
        if (events[0]!.seq !== this.#readSeq + 1) {
          this.#readSeq = await this.#target.backfill(this.#readSeq, events[0]!.seq);
          continue;
        }
        await this.#target.deliver(events);
        this.#readSeq = events[events.length - 1]!.seq;
      } catch (err) {
        if (this.#stopped || this.#storage.status !== 'open') return;
        this.#target.onError(DbError.from(err));
        await this.#sleep(RETRY_MS);
      }
    }
  }
}
