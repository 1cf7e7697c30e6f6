import { DbError, type ChangeEvent } from '@tabagent/common';

/**
 * The work outstanding for one change: a count per module, plus holds (routing, deferred
 * work). The change is finished when nothing is outstanding — every module's work done
 * or dead-lettered.
 */
export class ChangeRecord {
  readonly change: ChangeEvent;
  /** Whether the change counts for the cursor (false for dead-letter retries and backfill). */
  readonly tracked: boolean;
  #outstanding = 1; // the routing hold, released by endRouting()
  readonly #perModule = new Map<string, number>();
  #waiting: { waitFor: readonly string[]; dispatch: () => void }[] = [];
  readonly #onSettled: (record: ChangeRecord) => void;

  constructor(change: ChangeEvent, tracked: boolean, onSettled: (record: ChangeRecord) => void) {
    this.change = change;
    this.tracked = tracked;
    this.#onSettled = onSettled;
  }

  get settled(): boolean {
    return this.#outstanding === 0;
  }

  /** Work of `module` for this change is under way. */
  acquire(module: string): void {
    this.#outstanding++;
    this.#perModule.set(module, (this.#perModule.get(module) ?? 0) + 1);
  }

  /** Work of `module` for this change is finished. */
  release(module: string): void {
    const left = (this.#perModule.get(module) ?? 0) - 1;
    if (left <= 0) this.#perModule.delete(module);
    else this.#perModule.set(module, left);
    this.#outstanding--;
    if (left <= 0) this.#wake();
    if (this.#outstanding === 0) this.#onSettled(this);
  }

  /** True while any of the modules has work for this change. */
  busy(modules: readonly string[]): boolean {
    return modules.some((m) => this.#perModule.has(m));
  }

  /**
   * Runs `dispatch` once none of `waitFor` has work left for this change (at once if
   * none has). Until then, `module` counts as having work here.
   */
  defer(module: string, waitFor: readonly string[], dispatch: () => void): void {
    if (!this.busy(waitFor)) {
      dispatch();
      return;
    }
    this.acquire(module);
    this.#waiting.push({
      waitFor,
      dispatch: () => {
        dispatch();
        this.release(module);
      },
    });
  }

  /** Routing of this change is done: releases the routing hold. */
  endRouting(): void {
    this.#outstanding--;
    if (this.#outstanding === 0) this.#onSettled(this);
  }

  #wake(): void {
    if (this.#waiting.length === 0) return;
    const ready = this.#waiting.filter((w) => !this.busy(w.waitFor));
    if (ready.length === 0) return;
    this.#waiting = this.#waiting.filter((w) => !ready.includes(w));
    for (const waiting of ready) waiting.dispatch();
  }
}

/**
 * Follows which changes of the log are finished and moves the cursor over the finished
 * prefix: the cursor never passes a change whose work is outstanding, so a crash only
 * ever replays work, never skips it.
 */
export class ChangeTracker {
  #queue: ChangeRecord[] = [];
  #head = 0;
  #doneThrough: number;
  #untracked = 0;
  readonly #onAdvance: (doneThrough: number) => void;
  readonly #onSettled: () => void;

  /**
   * @param doneThrough the persisted cursor: every change up to it is finished.
   * @param onAdvance called when the cursor moves.
   * @param onSettled called when any change (tracked or not) finishes.
   */
  constructor(doneThrough: number, onAdvance: (doneThrough: number) => void, onSettled: () => void) {
    this.#doneThrough = doneThrough;
    this.#onAdvance = onAdvance;
    this.#onSettled = onSettled;
  }

  /** Every change up to this sequence number is finished. */
  get doneThrough(): number {
    return this.#doneThrough;
  }

  /** Tracked changes read and not finished yet. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /** Untracked changes (retries, backfill) not finished yet. */
  get untrackedPending(): number {
    return this.#untracked;
  }

  /** Starts tracking a change read from the log (in sequence order). */
  open(change: ChangeEvent): ChangeRecord {
    const record = new ChangeRecord(change, true, () => this.#advance());
    this.#queue.push(record);
    return record;
  }

  /** Work not tied to the cursor: a dead-letter retry, or a backfill of a compacted log. */
  openUntracked(change: ChangeEvent, onDone?: () => void): ChangeRecord {
    this.#untracked++;
    return new ChangeRecord(change, false, () => {
      this.#untracked--;
      onDone?.();
      this.#onSettled();
    });
  }

  /** Moves the cursor to `seq` (after a backfill covered everything up to it). */
  jumpTo(seq: number): void {
    if (this.pending > 0) throw new DbError('INTERNAL', 'cannot move the cursor while changes are outstanding');
    if (seq > this.#doneThrough) {
      this.#doneThrough = seq;
      this.#onAdvance(seq);
    }
  }

  #advance(): void {
    const before = this.#doneThrough;
    while (this.#head < this.#queue.length && this.#queue[this.#head]!.settled) {
      this.#doneThrough = this.#queue[this.#head]!.change.seq;
      this.#head++;
    }
    // Compact now and then instead of shifting on every change.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.#doneThrough !== before) this.#onAdvance(this.#doneThrough);
    this.#onSettled();
  }
}
