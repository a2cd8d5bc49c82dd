/**
 * A real lossless WebP (VP8L) of the requested size in one colour: all five prefix codes are
 * "simple" one-symbol codes (green, red, blue, alpha, distance), so every pixel costs zero bits
 * and the whole image is a 20-odd-byte header. Different colours give different bytes.
 */

class LsbWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private n = 0;
  write(value: number, bits: number): void {
    for (let i = 0; i < bits; i++) {
      this.acc |= ((value >>> i) & 1) << this.n;
      if (++this.n === 8) {
        this.bytes.push(this.acc);
        this.acc = 0;
        this.n = 0;
      }
    }
  }
  finish(): Buffer {
    if (this.n > 0) this.bytes.push(this.acc);
    return Buffer.from(this.bytes);
  }
}

function simpleCode(w: LsbWriter, symbol: number): void {
  w.write(1, 1); // simple code
  w.write(0, 1); // one symbol
  if (symbol < 2) {
    w.write(0, 1); // 1-bit symbol
    w.write(symbol, 1);
  } else {
    w.write(1, 1); // 8-bit symbol
    w.write(symbol, 8);
  }
}

export function encodeWebp(width: number, height: number, rgb: readonly [number, number, number]): Buffer {
  const w = new LsbWriter();
  w.write(0x2f, 8); // VP8L signature
  w.write(width - 1, 14);
  w.write(height - 1, 14);
  w.write(0, 1); // alpha_is_used
  w.write(0, 3); // version
  w.write(0, 1); // no transform
  w.write(0, 1); // no colour cache
  w.write(0, 1); // no meta prefix codes
  simpleCode(w, rgb[1]); // green (+ length prefixes)
  simpleCode(w, rgb[0]); // red
  simpleCode(w, rgb[2]); // blue
  simpleCode(w, 255); // alpha
  simpleCode(w, 0); // distance
  const data = w.finish();
  const padded = data.length % 2 === 1 ? Buffer.concat([data, Buffer.alloc(1)]) : data;
  const header = Buffer.alloc(20);
  header.write("RIFF", 0, "latin1");
  header.writeUInt32LE(4 + 8 + padded.length, 4);
  header.write("WEBP", 8, "latin1");
  header.write("VP8L", 12, "latin1");
  header.writeUInt32LE(data.length, 16);
  return Buffer.concat([header, padded]);
}
