/** Independent checks of image bytes for the tests: structure, not just magic numbers. */
import { crc32 } from "node:zlib";

export function pngInfo(bytes: Buffer): { width: number; height: number; chunks: string[] } {
  if (!bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    throw new Error("not a PNG signature");
  const chunks: string[] = [];
  let offset = 8;
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString("latin1", offset + 4, offset + 8);
    const crc = bytes.readUInt32BE(offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== crc) throw new Error(`bad CRC in ${type}`);
    chunks.push(type);
    offset += 12 + length;
  }
  if (offset !== bytes.length || chunks.at(-1) !== "IEND") throw new Error("PNG does not end with IEND");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), chunks };
}

export function jpegInfo(bytes: Buffer): { width: number; height: number } {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff) throw new Error("not a JPEG SOI");
  if (bytes.at(-2) !== 0xff || bytes.at(-1) !== 0xd9) throw new Error("JPEG does not end with EOI");
  let offset = 2;
  while (offset < bytes.length) {
    const marker = bytes[offset + 1];
    const length = bytes.readUInt16BE(offset + 2);
    if (marker === 0xc0)
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    offset += 2 + length;
  }
  throw new Error("JPEG without SOF0");
}

export function webpInfo(bytes: Buffer): { width: number; height: number } {
  if (bytes.toString("latin1", 0, 4) !== "RIFF" || bytes.toString("latin1", 8, 12) !== "WEBP")
    throw new Error("not a RIFF WEBP");
  if (bytes.readUInt32LE(4) !== bytes.length - 8) throw new Error("RIFF size does not match the file");
  if (bytes.toString("latin1", 12, 16) !== "VP8L" || bytes[20] !== 0x2f)
    throw new Error("not a VP8L bitstream");
  const bits = bytes.readUInt32LE(21);
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
}
