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

/**
 * Both hashes in one pass over the key: FNV-1a over UTF-16 code units (the high word) and a
 * murmur3-style mix with another seed (the low word), independent of FNV for our purposes.
 * Written into `out` so the hot path allocates nothing.
 */
function fingerprint(text: string, out: Uint32Array): void {
  let fnv = 0x811c9dc5;
  let murmur = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    fnv ^= code;
    fnv = Math.imul(fnv, 0x01000193);
    let k = Math.imul(code, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    murmur ^= Math.imul(k, 0x1b873593);
    murmur = (murmur << 13) | (murmur >>> 19);
    murmur = (Math.imul(murmur, 5) + 0xe6546b64) | 0;
  }
  murmur ^= murmur >>> 16;
  murmur = Math.imul(murmur, 0x85ebca6b);
  murmur ^= murmur >>> 13;
  murmur = Math.imul(murmur, 0xc2b2ae35);
  murmur ^= murmur >>> 16;
  out[0] = fnv;
  out[1] = murmur;
}

export class KeyRegistry {
  private capacity: number;
  private high: Uint32Array;
  private low: Uint32Array;
  /** Where the key was first seen, plus one (0 marks an empty slot). */
  private where: Uint32Array;
  private count = 0;
  private readonly hashes = new Uint32Array(2);

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
    fingerprint(key, this.hashes);
    const high = this.hashes[0] ?? 0;
    const low = this.hashes[1] ?? 0;
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
