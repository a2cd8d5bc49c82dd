/**
 * Remembers which row keys a manifest has used, in constant memory per key: a million ids cost
 * about 24 MB here instead of ~100 MB as a Set of strings (the dominant cost of `estimate` on big
 * files). Keys are stored as 64-bit fingerprints (two independent 32-bit hashes) in an
 * open-addressing table, with the line (or index) where each was first seen.
 *
 * A fingerprint can collide: two different ids would be reported as duplicates with odds of
 * about n²/2⁶⁵ (≈3·10⁻⁸ for a million rows). The report names the earlier row, so a person can
 * see it at once; a false "duplicate" stops the batch, it never makes anything run twice. Pure.
 */

/** FNV-1a over UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A murmur3-style mix with another seed: independent of FNV for our purposes. */
function murmurish(text: string): number {
  let hash = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    hash ^= Math.imul(k, 0x1b873593);
    hash = (hash << 13) | (hash >>> 19);
    hash = (Math.imul(hash, 5) + 0xe6546b64) | 0;
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

export class KeyRegistry {
  private capacity: number;
  private high: Uint32Array;
  private low: Uint32Array;
  /** Where the key was first seen, plus one (0 marks an empty slot). */
  private where: Uint32Array;
  private count = 0;

  constructor(initialCapacity = 1 << 12) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.capacity = capacity;
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.where = new Uint32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Records `key` as seen at `where` (a line or index, ≥ 0). Returns null the first time, and the
   * earlier `where` when the key was already used.
   */
  claim(key: string, where: number): number | null {
    const high = fnv1a(key);
    const low = murmurish(key);
    const mask = this.capacity - 1;
    let slot = (low ^ Math.imul(high, 0x9e3779b1)) & mask;
    for (;;) {
      const stored = this.where[slot] ?? 0;
      if (stored === 0) break;
      if (this.high[slot] === high && this.low[slot] === low) return stored - 1;
      slot = (slot + 1) & mask;
    }
    this.high[slot] = high;
    this.low[slot] = low;
    this.where[slot] = Math.min(where, 0xfffffffe) + 1;
    this.count += 1;
    if (this.count * 4 > this.capacity * 3) this.grow();
    return null;
  }

  private grow(): void {
    const { high, low, where } = this;
    this.capacity *= 2;
    const mask = this.capacity - 1;
    this.high = new Uint32Array(this.capacity);
    this.low = new Uint32Array(this.capacity);
    this.where = new Uint32Array(this.capacity);
    for (let i = 0; i < where.length; i++) {
      const stored = where[i] ?? 0;
      if (stored === 0) continue;
      const h = high[i] ?? 0;
      const l = low[i] ?? 0;
      let slot = (l ^ Math.imul(h, 0x9e3779b1)) & mask;
      while ((this.where[slot] ?? 0) !== 0) slot = (slot + 1) & mask;
      this.high[slot] = h;
      this.low[slot] = l;
      this.where[slot] = stored;
    }
  }
}
