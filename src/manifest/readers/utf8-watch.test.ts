import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { completeUpTo, guessEncoding, watchUtf8 } from "./utf8-watch.js";

/** Runs `chunks` through a watch; returns its verdict and the bytes that came out. */
async function watched(chunks: readonly Buffer[]) {
  const watch = watchUtf8();
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), watch.transform, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk);
  });
  return { verdict: watch.undecodable(), bytes: Buffer.concat(out) };
}

describe("watching UTF-8", () => {
  it("calls Western text saved as Windows-1252 by its name, accents side by side included", () => {
    for (const text of ["Crème brûlée façon grand-mère", "Müßig Straße", "créée, aïe, œuvre — 10 €"])
      expect(guessEncoding(iconv.encode(text, "windows-1252")), text).toBe("windows-1252");
  });

  it("makes no guess for bytes Windows-1252 leaves undefined, or runs of a multi-byte encoding", () => {
    expect(guessEncoding(Buffer.from([0x61, 0x81, 0x62]))).toBeNull();
    expect(guessEncoding(iconv.encode("東京の夜景、高解像度の写真", "shift_jis"))).toBeNull();
    expect(guessEncoding(Buffer.from("plain ascii"))).toBeNull();
  });

  it("finds where a sequence cut by a chunk's end starts", () => {
    const e = Buffer.from("é"); // c3 a9
    const euro = Buffer.from("€"); // e2 82 ac
    const face = Buffer.from("😀"); // f0 9f 98 80
    expect(completeUpTo(Buffer.from("abc"))).toBe(3);
    expect(completeUpTo(Buffer.concat([Buffer.from("ab"), e]))).toBe(4);
    expect(completeUpTo(Buffer.concat([Buffer.from("ab"), e.subarray(0, 1)]))).toBe(2);
    expect(completeUpTo(Buffer.concat([Buffer.from("a"), euro.subarray(0, 2)]))).toBe(1);
    expect(completeUpTo(Buffer.concat([Buffer.from("a"), face.subarray(0, 3)]))).toBe(1);
    expect(completeUpTo(Buffer.concat([Buffer.from("a"), face]))).toBe(5);
  });

  it("passes the bytes through, and takes a character split between chunks for what it is", async () => {
    const text = Buffer.from("Crème brûlée, 10 €, 😀\n".repeat(3));
    const chunks = Array.from({ length: text.length }, (_, i) => text.subarray(i, i + 1)); // one byte each
    const { verdict, bytes } = await watched(chunks);
    expect(verdict).toBeNull();
    expect(bytes.equals(text)).toBe(true);
  });

  it("says Windows-1252 bytes once it has seen them, and what they most likely are", async () => {
    const good = Buffer.from("id,prompt\n");
    const bad = iconv.encode("1,Crème brûlée\n", "windows-1252");
    expect((await watched([good, bad])).verdict).toEqual({ guess: "windows-1252" });
    expect((await watched([good, Buffer.from([0x61, 0x81, 0x0a])])).verdict).toEqual({ guess: null });
    // A file that ends inside a sequence.
    expect((await watched([good, Buffer.from([0x61, 0xc3])])).verdict).not.toBeNull();
  });
});
