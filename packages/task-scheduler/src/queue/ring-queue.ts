/**
 * A growable FIFO over a power-of-two ring buffer: O(1) push at either end and O(1)
 * shift, with no per-item allocation (unlike `Array#shift`, which is O(n) once arrays
 * get large, or a linked list, which allocates a node per item).
 *
 * @example
 * const q = new RingQueue<number>();
 * q.push(1); q.push(2); q.unshift(0);
 * q.shift(); // 0
 */
export class RingQueue<T> {
  #items: (T | undefined)[];
  #mask: number;
  #head = 0;
  #length = 0;

  constructor(initialCapacity = 16) {
    let capacity = 1;
    while (capacity < Math.max(1, initialCapacity)) capacity <<= 1;
    this.#items = new Array<T | undefined>(capacity);
    this.#mask = capacity - 1;
  }

  get length(): number {
    return this.#length;
  }

  /** Appends at the tail. */
  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) & this.#mask] = item;
    this.#length++;
  }

  /** Inserts at the head (the next `shift` returns it). */
  unshift(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#head = (this.#head - 1) & this.#mask;
    this.#items[this.#head] = item;
    this.#length++;
  }

  /** The head item without removing it. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** Removes and returns the head item. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    // Clear the slot so the queue never keeps a finished task reachable.
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    return item;
  }

  /** Keeps only the items for which `keep` returns true, preserving order. */
  retain(keep: (item: T) => boolean): void {
    const items = this.#items;
    let write = 0;
    for (let read = 0; read < this.#length; read++) {
      const item = items[(this.#head + read) & this.#mask] as T;
      if (keep(item)) items[(this.#head + write++) & this.#mask] = item;
    }
    for (let i = write; i < this.#length; i++) items[(this.#head + i) & this.#mask] = undefined;
    this.#length = write;
  }

  /** Removes every item. */
  clear(): void {
    this.#items.fill(undefined);
    this.#head = 0;
    this.#length = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#length; i++) yield this.#items[(this.#head + i) & this.#mask] as T;
  }

  #grow(): void {
    const old = this.#items;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.#length; i++) next[i] = old[(this.#head + i) & this.#mask];
    this.#items = next;
    this.#mask = next.length - 1;
    this.#head = 0;
  }
}
