/**
 * Keeps the `k` best items seen, by a comparator where "smaller is better"
 * (`compare(a, b) < 0` ranks `a` first). A binary heap whose root is the worst kept
 * item, so each offer costs O(log k).
 */
export class TopK<T> {
  readonly #heap: T[] = [];
  readonly #k: number;
  readonly #compare: (a: T, b: T) => number;

  constructor(k: number, compare: (a: T, b: T) => number) {
    this.#k = k;
    this.#compare = compare;
  }

  get size(): number {
    return this.#heap.length;
  }

  /** The worst item kept (undefined while empty). */
  get worst(): T | undefined {
    return this.#heap[0];
  }

  /** Whether `item` would be kept. */
  accepts(item: T): boolean {
    return this.#k > 0 && (this.#heap.length < this.#k || this.#compare(item, this.#heap[0]!) < 0);
  }

  offer(item: T): void {
    if (!this.accepts(item)) return;
    const heap = this.#heap;
    if (heap.length < this.#k) {
      heap.push(item);
      this.#up(heap.length - 1);
    } else {
      heap[0] = item;
      this.#down(0);
    }
  }

  /** The kept items, best first. */
  sorted(): T[] {
    return [...this.#heap].sort(this.#compare);
  }

  // Heap order: a parent is worse than (compares greater than) its children.
  #up(i: number): void {
    const heap = this.#heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#compare(heap[i]!, heap[parent]!) <= 0) return;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #down(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < heap.length && this.#compare(heap[left]!, heap[worst]!) > 0) worst = left;
      if (right < heap.length && this.#compare(heap[right]!, heap[worst]!) > 0) worst = right;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst]!, heap[i]!];
      i = worst;
    }
  }
}
