import { describe, expect, it } from "vitest";
import { fileBaseFor, imageBasesFor } from "./file-names.js";

describe("image file names", () => {
  it("keeps plain ids as they are", () => {
    expect(fileBaseFor("sku-ABC_123.v2")).toBe("sku-ABC_123.v2");
    expect(imageBasesFor("chair", 1)).toEqual(["chair"]);
    expect(imageBasesFor("chair", 3)).toEqual(["chair-1", "chair-2", "chair-3"]);
  });

  it("never lets an id leave the images directory or hide a file", () => {
    for (const id of ["../../etc/passwd", "a/b", "..", ".hidden", "a\\b", "x\u0000y", "tab\there", "-rf"]) {
      const base = fileBaseFor(id);
      expect(base, id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/);
      expect(base).not.toContain("/");
      expect(base.startsWith(".")).toBe(false);
    }
  });

  it("gives two different ids different names, even when they sanitise alike", () => {
    expect(fileBaseFor("a/b")).not.toBe(fileBaseFor("a_b"));
    expect(fileBaseFor("a/b")).not.toBe(fileBaseFor("a:b"));
    expect(fileBaseFor("a b")).not.toBe(fileBaseFor("a?b"));
  });

  it("keeps a row's numbered images apart from another row whose id looks numbered", () => {
    const multi = imageBasesFor("shoe", 2); // shoe-1, shoe-2
    expect(imageBasesFor("shoe-1", 1)[0]).not.toBe(multi[0]);
    expect(imageBasesFor("shoe-2", 1)[0]).not.toBe(multi[1]);
  });

  it("shortens very long ids and keeps them unique", () => {
    const a = fileBaseFor("x".repeat(200) + "a");
    const b = fileBaseFor("x".repeat(200) + "b");
    expect(a.length).toBeLessThanOrEqual(111);
    expect(a).not.toBe(b);
  });
});
