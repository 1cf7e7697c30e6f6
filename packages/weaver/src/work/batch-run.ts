import type { ChangeEvent } from '@tabagent/common';
import { withFields } from '@tabagent/common/runtime';
import type { CommitResult, WriteBatch } from '@tabagent/storage';
import type { TaskContext } from '@tabagent/task-scheduler';
import type { EnrichedDetail, ModuleRunContext, WorkItem } from '../modules/weaver-module.js';

/** Longest stretch a run keeps the event loop before `breathe()` yields it, in ms. */
const SLICE_MS = 2;

/** An `enriched` event: a module finished work that produced or changed data. */
export interface EnrichedEvent extends EnrichedDetail {
  module: string;
}

/**
 * The context of one run of one batch. Results are collected, not acted on: they count
 * only if the run succeeds (a failed run is retried from scratch).
 */
export class BatchRun implements ModuleRunContext {
  readonly enrichedEvents: EnrichedEvent[] = [];
  readonly skippedItems = new Set<WorkItem>();
  readonly failedItems = new Map<WorkItem, unknown>();
  readonly notes = new Map<string, number>();
  readonly handOffs = new Map<WorkItem, ChangeEvent[]>();
  readonly #task: TaskContext;
  readonly #module: string;
  readonly #onCommit: (result: CommitResult) => void;
  #busySince = performance.now();

  constructor(task: TaskContext, module: string, onCommit: (result: CommitResult) => void) {
    this.#task = task;
    this.#module = module;
    this.#onCommit = onCommit;
  }

  get signal(): AbortSignal {
    return this.#task.signal;
  }

  get attempt(): number {
    return this.#task.attempt;
  }

  async commit(batch: WriteBatch): Promise<CommitResult> {
    const result = await batch.commit({ signal: this.#task.signal });
    this.#onCommit(result);
    return result;
  }

  enriched(_item: WorkItem, detail: EnrichedDetail): void {
    this.enrichedEvents.push(withFields(detail, { module: this.#module }) as EnrichedEvent);
  }

  skipped(item: WorkItem): void {
    this.skippedItems.add(item);
  }

  fail(item: WorkItem, error: unknown): void {
    this.failedItems.set(item, error);
  }

  note(name: string): void {
    this.notes.set(name, (this.notes.get(name) ?? 0) + 1);
  }

  async breathe(): Promise<void> {
    if (performance.now() - this.#busySince < SLICE_MS) {
      this.#task.throwIfAborted();
      return;
    }
    await this.#task.yield();
    this.#busySince = performance.now();
  }

  handOff(item: WorkItem, change: ChangeEvent): void {
    const list = this.handOffs.get(item);
    if (list === undefined) this.handOffs.set(item, [change]);
    else list.push(change);
  }
}
