import { DbError, type ChangeEvent, type ErrorCode } from '@tabagent/common';
import { prefixRange, type StateStore } from './state-store.js';

/** Work that failed every retry, kept until it is retried or purged. */
export interface DeadLetter {
  /** `module:action:target`, so one piece of work has at most one dead letter. */
  id: string;
  module: string;
  /** What the module was asked to do (`embed`, `link`, `gc`, `count`, …). */
  action: string;
  /** What it was asked to do it to: a node id, or a chat id. */
  target: string;
  /** The change that asked for the work (its latest one). */
  change: ChangeEvent;
  error: { code: ErrorCode; message: string };
  /** Runs that failed, over all retries (and manual retries). */
  attempts: number;
  firstFailedAt: number;
  lastFailedAt: number;
}

const PREFIX = 'd\u0000';

/** Id of the dead letter of a piece of work. */
export function deadLetterId(module: string, action: string, target: string): string {
  return `${module}:${action}:${target}`;
}

/** The persisted dead letters, with their count kept in memory for `stats()`. */
export class DeadLetterStore {
  readonly #state: StateStore;
  #count = 0;

  constructor(state: StateStore) {
    this.#state = state;
  }

  async load(): Promise<void> {
    this.#count = await this.#state.count(prefixRange(PREFIX));
  }

  get count(): number {
    return this.#count;
  }

  get(id: string): DeadLetter | undefined {
    return this.#state.get<DeadLetter>(`${PREFIX}${id}`);
  }

  /** Records a failure: a new dead letter, or one more failure of an existing one. */
  async record(entry: Omit<DeadLetter, 'id' | 'attempts' | 'firstFailedAt' | 'lastFailedAt'> & { attempts: number; at: number }): Promise<DeadLetter> {
    const id = deadLetterId(entry.module, entry.action, entry.target);
    const existing = this.get(id);
    const letter: DeadLetter = {
      id,
      module: entry.module,
      action: entry.action,
      target: entry.target,
      change: entry.change,
      error: entry.error,
      attempts: (existing?.attempts ?? 0) + entry.attempts,
      firstFailedAt: existing?.firstFailedAt ?? entry.at,
      lastFailedAt: entry.at,
    };
    await this.#state.put(`${PREFIX}${id}`, letter);
    if (existing === undefined) this.#count++;
    return letter;
  }

  async list(limit?: number): Promise<DeadLetter[]> {
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      throw new DbError('INVALID_ARGUMENT', 'limit: expected a positive integer', { details: { field: 'limit' } });
    }
    const entries = await this.#state.entries<DeadLetter>({ ...prefixRange(PREFIX), ...(limit === undefined ? {} : { limit }) });
    return entries.map(([, letter]) => letter);
  }

  /** The dead letters with these ids (all of them without ids); unknown ids are ignored. */
  async select(ids: readonly string[] | undefined): Promise<DeadLetter[]> {
    if (ids === undefined) return this.list();
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
      throw new DbError('INVALID_ARGUMENT', 'ids: expected an array of dead-letter ids', { details: { field: 'ids' } });
    }
    return ids.map((id) => this.get(id)).filter((l): l is DeadLetter => l !== undefined);
  }

  async remove(ids: readonly string[]): Promise<number> {
    const present = ids.filter((id) => this.#state.has(`${PREFIX}${id}`));
    await this.#state.write(present.map((id) => ({ type: 'del', key: `${PREFIX}${id}` })));
    this.#count -= present.length;
    return present.length;
  }
}
