/** A binary min-heap keyed by a number: the run store keeps unsettled runs ordered by end time. */
export interface MinHeap<T> {
  size(): number;
  peek(): T | undefined;
  push(item: T): void;
  pop(): T | undefined;
}

export function createMinHeap<T>(key: (item: T) => number): MinHeap<T> {
  const items: T[] = [];

  function push(item: T): void {
    items.push(item);
    let i = items.length - 1;
    const k = key(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as T;
      if (key(p) <= k) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  function pop(): T | undefined {
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    const k = key(last);
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      let child = left;
      if (right < items.length && key(items[right] as T) < key(items[left] as T)) child = right;
      const c = items[child] as T;
      if (key(c) >= k) break;
      items[i] = c;
      i = child;
    }
    items[i] = last;
    return top;
  }

  return { size: () => items.length, peek: () => items[0], push, pop };
}
