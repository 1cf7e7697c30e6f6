import { DbError, type ChangeEvent } from '@tabagent/common';
import type { RecordChange } from './extension.js';
import type { CommitInfo } from './writer.js';

/** One stretch of the change log, handed to a consumer in order. */
export interface ChangeStretch {
  /** Log entries, gap-free, continuing from the consumer's position. */
  readonly events: readonly ChangeEvent[];
  /** The records before and after — present when delivered live from a commit, absent when read back from the log. */
  readonly changes?: readonly RecordChange[];
}

export interface ConsumeOptions {
  /**
   * Persist this consumer's cursor (under the extension's name, or `cursor`): `ack(seq)`
   * saves it, the consumer resumes from it, and storage keeps the log after it.
   */
  durable?: boolean;
  /** Name of the durable cursor (default: the extension's name). */
  cursor?: string;
  /**
   * Start after this sequence number. Default: the saved cursor of a durable consumer
   * (0 when it has none), the current end of the log otherwise. A durable consumer may
   * start elsewhere than its cursor (a snapshot's own position, say): the cursor — what
   * the log is kept for — moves only with `ack`; a new one starts at `after`.
   */
  after?: number;
  /**
   * Receives every stretch in order; the next waits until a returned promise settles.
   * A synchronous handler sees live commits synchronously, before the writer's caller resumes
   * (so in-memory mirrors stay read-your-writes).
   */
  handle(stretch: ChangeStretch): void | Promise<void>;
  /**
   * The log no longer holds the changes after `after` (compacted before this consumer
   * first registered): recover otherwise (rescan the store) and return the sequence number
   * that covers. Without it the consumer skips to the first entry still in the log.
   */
  onGap?(after: number, firstInLog: number): Promise<number>;
  /** A failed read or handler; the consumer retries the same stretch after `retryMs`. */
  onError?(error: DbError): void;
  /** Log entries per read (default 1,000). */
  batchSize?: number;
  /** Live entries queued while a handler runs before the consumer falls back to reading the log (default 10,000). */
  maxQueued?: number;
  /** Pause after a failure before retrying, in ms (default 1,000). */
  retryMs?: number;
}

/** A running change follower (see `ExtensionContext.consume`). */
export interface ChangeConsumer {
  /** Sequence number of the last entry handled. */
  readonly position: number;
  /** Sequence number of the last acknowledged entry (durable consumers). */
  readonly acked: number;
  /** True when the consumer has handled everything committed. */
  readonly caughtUp: boolean;
  /** Persists the cursor: everything up to `seq` is done and may be compacted away. Works after `stop()` too, while the storage is open. */
  ack(seq: number): Promise<void>;
  /** Asks the consumer to look at the log again (after a handler said it was saturated, say). */
  wake(): void;
  /** Stops following; resolves once no handler runs. Idempotent. */
  stop(): Promise<void>;
}

/** What a consumer needs of storage (internal). */
export interface ChangeSource {
  isOpen(): boolean;
  lastSeq(): number;
  read(after: number, limit: number): Promise<ChangeEvent[]>;
  listen(listener: (info: CommitInfo) => void): () => void;
  saveCursor(name: string, seq: number): Promise<void>;
  closeConsumer(consumer: Consumer): void;
}

/**
 * The one change follower. Reads the log from its position while behind; once level,
 * takes commits live as they happen (with their records). A slow handler makes live
 * commits queue up; past `maxQueued` the queue is dropped and the consumer reads the log
 * again at its own pace, so a slow consumer never holds unbounded memory.
 */
export class Consumer implements ChangeConsumer {
  readonly #source: ChangeSource;
  readonly #options: ConsumeOptions;
  readonly #cursor: string | undefined;
  #position: number;
  #acked: number;
  #mode: 'log' | 'live' = 'log';
  #busy = false;
  #queue: CommitInfo[] = [];
  #queued = 0;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #wakeRequested = false;
  #handling: Promise<void> | undefined;
  readonly #unlisten: () => void;

  constructor(source: ChangeSource, options: ConsumeOptions, cursor: string | undefined, after: number, acked: number) {
    this.#source = source;
    this.#options = options;
    this.#cursor = cursor;
    this.#position = after;
    this.#acked = acked;
    this.#unlisten = source.listen((info) => this.#onCommit(info));
    if (after >= source.lastSeq()) this.#mode = 'live';
    else this.#startLoop();
  }

  get position(): number {
    return this.#position;
  }

  get acked(): number {
    return this.#acked;
  }

  get caughtUp(): boolean {
    return this.#mode === 'live' && !this.#busy && this.#queue.length === 0 && this.#position >= this.#source.lastSeq();
  }

  async ack(seq: number): Promise<void> {
    if (this.#cursor === undefined) throw new DbError('INVALID_ARGUMENT', 'ack: this consumer is not durable');
    if (!Number.isInteger(seq) || seq < 0) throw new DbError('INVALID_ARGUMENT', 'ack: expected a non-negative integer', { details: { field: 'seq' } });
    if (seq <= this.#acked) return;
    this.#acked = seq;
    await this.#source.saveCursor(this.#cursor, seq);
  }

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
    if (!this.#stopped) {
      this.#stopped = true;
      this.#unlisten();
      this.#queue = [];
      this.wake();
      this.#source.closeConsumer(this);
    }
    await this.#loop;
    await this.#handling?.catch(() => undefined);
  }

  // ---------------------------------------------------------------- live

  #onCommit(info: CommitInfo): void {
    if (this.#stopped) return;
    if (this.#mode === 'log') {
      this.wake();
      return;
    }
    if (this.#busy || this.#queue.length > 0) {
      this.#queue.push(info);
      this.#queued += info.events.length;
      if (this.#queued > (this.#options.maxQueued ?? 10_000)) {
        // Too far behind to keep commits in memory: the log has them.
        this.#queue = [];
        this.#queued = 0;
        this.#mode = 'log';
      }
      return;
    }
    this.#deliverLive(info);
  }

  #deliverLive(info: CommitInfo): void {
    // Entries a log read already delivered are skipped (a read can overlap a live commit).
    let events: readonly ChangeEvent[] = info.events;
    if (events.length === 0 || events[events.length - 1]!.seq <= this.#position) return;
    let changes: readonly RecordChange[] | undefined = info.changes;
    if (events[0]!.seq <= this.#position) {
      events = events.filter((e) => e.seq > this.#position);
      changes = info.changes.filter((c) => c.seq > this.#position);
    }
    const last = events[events.length - 1]!.seq;
    let result: void | Promise<void>;
    try {
      result = this.#options.handle(changes === undefined ? { events } : { events, changes });
    } catch (err) {
      this.#failedLive(err);
      return;
    }
    if (result === undefined || typeof (result as Promise<void>).then !== 'function') {
      this.#position = last;
      return;
    }
    this.#busy = true;
    this.#handling = (result as Promise<void>).then(
      () => {
        this.#position = last;
        this.#busy = false;
        this.#drainQueue();
      },
      (err: unknown) => {
        this.#busy = false;
        this.#failedLive(err);
      },
    );
  }

  #drainQueue(): void {
    while (!this.#stopped && !this.#busy && this.#mode === 'live') {
      const next = this.#queue.shift();
      if (next === undefined) {
        this.#queued = 0;
        if (this.#position < this.#source.lastSeq()) this.#fallBack();
        return;
      }
      this.#queued -= next.events.length;
      this.#deliverLive(next);
    }
    if (this.#mode === 'log') this.#startLoop();
  }

  #failedLive(err: unknown): void {
    this.#options.onError?.(DbError.from(err));
    this.#fallBack();
  }

  /** Goes back to reading the log from the position (after a failure or an overflow). */
  #fallBack(): void {
    this.#queue = [];
    this.#queued = 0;
    this.#mode = 'log';
    this.#startLoop();
  }

  // ---------------------------------------------------------------- log

  #startLoop(): void {
    if (this.#stopped) return;
    if (this.#loop !== undefined) {
      this.wake();
      return;
    }
    this.#loop = this.#readLog().finally(() => {
      this.#loop = undefined;
      // A fall-back requested while the loop was finishing.
      if (!this.#stopped && this.#mode === 'log') this.#startLoop();
    });
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

  async #readLog(): Promise<void> {
    const batchSize = this.#options.batchSize ?? 1_000;
    while (!this.#stopped && this.#mode === 'log') {
      if (!this.#source.isOpen()) return;
      // Waiting for a live handler to finish before reading on keeps order.
      if (this.#busy) {
        await this.#handling?.catch(() => undefined);
        continue;
      }
      try {
        this.#wakeRequested = false;
        const events = await this.#source.read(this.#position, batchSize);
        if (this.#stopped) return;
        if (events.length === 0) {
          // Checked in the same tick as the switch: no commit can slip between the two.
          if (this.#position >= this.#source.lastSeq()) {
            this.#mode = 'live';
            return;
          }
          continue;
        }
        if (events[0]!.seq !== this.#position + 1) {
          const first = events[0]!.seq;
          this.#position = this.#options.onGap ? await this.#options.onGap(this.#position, first) : first - 1;
          continue;
        }
        this.#busy = true;
        try {
          this.#handling = Promise.resolve().then(() => this.#options.handle({ events }));
          await this.#handling;
        } finally {
          this.#busy = false;
        }
        this.#position = events[events.length - 1]!.seq;
      } catch (err) {
        if (this.#stopped || !this.#source.isOpen()) return;
        this.#options.onError?.(DbError.from(err));
        await this.#sleep(this.#options.retryMs ?? 1_000);
      }
    }
  }
}
