/** A set that remembers the last `capacity` values added (oldest forgotten first). Pure. */
export interface RecentSet {
  has(value: string): boolean;
  /** Adds the value; false when it was already there. */
  add(value: string): boolean;
  /** Removes the value; false when it was not there. */
  delete(value: string): boolean;
}

export function createRecentSet(capacity: number): RecentSet {
  const values = new Set<string>();
  return {
    has: (value) => values.has(value),
    add(value) {
      if (values.has(value)) return false;
      values.add(value);
      if (values.size > capacity) values.delete(values.values().next().value as string);
      return true;
    },
    delete: (value) => values.delete(value),
  };
}
