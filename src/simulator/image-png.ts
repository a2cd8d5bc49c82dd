/**
 * A real PNG of the requested size in one colour: 1-bit palette image, so the pixel data is all
 * zeros whatever the colour (the colour lives in PLTE) and its deflated IDAT is cached per size.
 * A tEXt chunk names the run and output, so two outputs never share bytes.
 */
import { crc32, deflateSync } from "node:zlib";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const idatCache = new Map<string, Buffer>();

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function idat(width: number, height: number): Buffer {
  const key = `${width}x${height}`;
  let data = idatCache.get(key);
  if (!data) {
    const raw = Buffer.alloc((1 + Math.ceil(width / 8)) * height); // filter byte 0 + zero bits per row
    data = deflateSync(raw, { level: 9 });
    if (idatCache.size > 64) idatCache.clear();
    idatCache.set(key, data);
  }
  return data;
}

export function encodePng(
  width: number,
  height: number,
  rgb: readonly [number, number, number],
  comment: string,
): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 3; // colour type: palette
  const palette = Buffer.from([rgb[0], rgb[1], rgb[2], 255 - rgb[0], 255 - rgb[1], 255 - rgb[2]]);
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", header),
    chunk("PLTE", palette),
    chunk("tEXt", Buffer.from(`Comment\0${comment}`, "latin1")),
    chunk("IDAT", idat(width, height)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
