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

/** Each slot is three words in one array: high hash, low hash, where + 1 (0 = empty). */
const WORDS = 3;

export class KeyRegistry {
  private capacity: number;
  /** Slots side by side, so a probe touches one cache line rather than three arrays. */
  private table: Uint32Array;
  private count = 0;
  private readonly hashes = new Uint32Array(2);

  constructor(initialCapacity = 1 << 12) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.capacity = capacity;
    this.table = new Uint32Array(capacity * WORDS);
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
    const table = this.table;
    const mask = this.capacity - 1;
    let slot = (low ^ Math.imul(high, 0x9e3779b1)) & mask;
    for (;;) {
      const at = slot * WORDS;
      const stored = table[at + 2] ?? 0;
      if (stored === 0) break;
      if (table[at] === high && table[at + 1] === low) return stored - 1;
      slot = (slot + 1) & mask;
    }
    const at = slot * WORDS;
    table[at] = high;
    table[at + 1] = low;
    table[at + 2] = Math.min(where, 0xfffffffe) + 1;
    this.count += 1;
    if (this.count * 4 > this.capacity * 3) this.grow();
    return null;
  }

  private grow(): void {
    const old = this.table;
    this.capacity *= 2;
    const mask = this.capacity - 1;
    const table = new Uint32Array(this.capacity * WORDS);
    for (let from = 0; from < old.length; from += WORDS) {
      const stored = old[from + 2] ?? 0;
      if (stored === 0) continue;
      const high = old[from] ?? 0;
      const low = old[from + 1] ?? 0;
      let slot = (low ^ Math.imul(high, 0x9e3779b1)) & mask;
      while ((table[slot * WORDS + 2] ?? 0) !== 0) slot = (slot + 1) & mask;
      const at = slot * WORDS;
      table[at] = high;
      table[at + 1] = low;
      table[at + 2] = stored;
    }
    this.table = table;
  }
}
