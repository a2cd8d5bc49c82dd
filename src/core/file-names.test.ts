import { describe, expect, it } from "vitest";
import { fileBaseFor, imageBasesFor, imageNumberOf, likelyExtension } from "./file-names.js";

describe("image file names", () => {
  it("keeps catalogue ids exactly as they are", () => {
    expect(fileBaseFor("SKU-00001")).toBe("SKU-00001");
    expect(fileBaseFor("sku-ABC_123.v2")).toBe("sku-ABC_123.v2");
    expect(imageBasesFor("chair", 1)).toEqual(["chair"]);
    expect(imageBasesFor("chair", 3)).toEqual(["chair-1", "chair-2", "chair-3"]);
    expect(imageBasesFor("SKU-00001", 2)).toEqual(["SKU-00001-1", "SKU-00001-2"]);
  });

  it("never lets an id leave the images directory or hide a file", () => {
    for (const id of [
      "../../etc/passwd",
      "a/b",
      "..",
      ".hidden",
      "a\\b",
      "x\u0000y",
      "tab\there",
      "-rf",
      "a..b",
    ]) {
      const base = fileBaseFor(id);
      expect(base, id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/);
      expect(base, id).not.toContain("..");
    }
    expect(fileBaseFor("ABC/123")).toBe("ABC_123");
  });

  it("names the likely extension of an output format", () => {
    expect([likelyExtension(undefined), likelyExtension("jpeg"), likelyExtension("webp")]).toEqual([
      "png",
      "jpg",
      "webp",
    ]);
  });
});

describe("which image a file is", () => {
  it("reads the image number back from the names imageBasesFor gives", () => {
    expect(imageNumberOf("chair", "images/chair.png")).toBe(1);
    expect(imageNumberOf("chair", "images/chair-3.webp")).toBe(3);
    // An id that itself ends in -<n> keeps its own name for one image.
    expect(imageNumberOf("SKU-00001", "images/SKU-00001.png")).toBe(1);
    expect(imageNumberOf("SKU-00001", "images/SKU-00001-2.png")).toBe(2);
    expect(imageNumberOf("a/b", `images/${imageBasesFor("a/b", 2)[1]}.png`)).toBe(2);
    expect(imageNumberOf("chair", "images/table-1.png")).toBeNull();
    expect(imageNumberOf("chair", "images/chair-x.png")).toBeNull();
  });
});
