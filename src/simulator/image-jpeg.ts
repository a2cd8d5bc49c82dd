/**
 * A real baseline JPEG of the requested size in one colour. Every 8×8 block is flat, so each
 * block is just a DC value and an end-of-block: with the tiny Huffman tables below, every MCU
 * after the first encodes as 15 zero bits and the scan is mostly zero bytes. A COM segment names
 * the run and output, so two outputs never share bytes.
 */

function segment(marker: number, body: Buffer): Buffer {
  const out = Buffer.alloc(4 + body.length);
  out[0] = 0xff;
  out[1] = marker;
  out.writeUInt16BE(body.length + 2, 2);
  body.copy(out, 4);
  return out;
}

const JFIF = segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]));
const DQT = segment(0xdb, Buffer.from([0, ...new Array<number>(64).fill(1)]));
// DC table 0: categories 0–11, all 4-bit codes (0000…1011). AC table 0: only EOB, code "0".
const DHT = segment(
  0xc4,
  Buffer.from([
    0x00, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x10, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00,
  ]),
);
const SOS = segment(0xda, Buffer.from([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]));

class BitWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private n = 0;
  write(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0); // byte stuffing
    this.acc = 0;
    this.n = 0;
  }
  /** Writes `count` zero bits; whole zero bytes go in one fill. */
  toBuffer(zeroBits: number): Buffer {
    while (zeroBits > 0 && this.n !== 0) {
      this.write(0, 1);
      zeroBits--;
    }
    const zeroBytes = Math.floor(zeroBits / 8);
    const head = Buffer.from(this.bytes);
    this.bytes.length = 0;
    for (let i = zeroBits % 8; i > 0; i--) this.write(0, 1);
    if (this.n > 0) this.write((1 << (8 - this.n)) - 1, 8 - this.n); // pad with 1-bits
    return Buffer.concat([head, Buffer.alloc(zeroBytes), Buffer.from(this.bytes)]);
  }
}

function encodeDc(writer: BitWriter, diff: number): void {
  const magnitude = Math.abs(diff);
  const category = magnitude === 0 ? 0 : 32 - Math.clz32(magnitude);
  writer.write(category, 4);
  if (category > 0) writer.write(diff > 0 ? diff : diff + (1 << category) - 1, category);
  writer.write(0, 1); // EOB
}

const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

export function encodeJpeg(
  width: number,
  height: number,
  rgb: readonly [number, number, number],
  comment: string,
): Buffer {
  const [r, g, b] = rgb;
  const ycc = [
    clamp(0.299 * r + 0.587 * g + 0.114 * b),
    clamp(-0.168736 * r - 0.331264 * g + 0.5 * b + 128),
    clamp(0.5 * r - 0.418688 * g - 0.081312 * b + 128),
  ];
  const sof = segment(
    0xc0,
    Buffer.from([
      8,
      height >> 8,
      height & 255,
      width >> 8,
      width & 255,
      3,
      1,
      0x11,
      0,
      2,
      0x11,
      0,
      3,
      0x11,
      0,
    ]),
  );
  const com = segment(0xfe, Buffer.from(comment, "latin1"));
  const writer = new BitWriter();
  for (const value of ycc) encodeDc(writer, 8 * (value - 128)); // flat block: DC = 8 × (level − 128)
  const mcus = Math.ceil(width / 8) * Math.ceil(height / 8);
  const scan = writer.toBuffer((mcus - 1) * 15); // every later block: DC diff 0 ("0000") + EOB ("0")
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    JFIF,
    com,
    DQT,
    sof,
    DHT,
    SOS,
    scan,
    Buffer.from([0xff, 0xd9]),
  ]);
}
