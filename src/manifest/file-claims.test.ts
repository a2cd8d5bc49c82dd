import { describe, expect, it } from "vitest";
import { createFileClaims } from "./file-claims.js";

const at = (line: number) => ({ file: "catalogue.csv", line });

describe("image file names claimed by rows", () => {
  it("lets distinct catalogue ids keep their own names", () => {
    const claims = createFileClaims();
    expect(claims.claim({ key: "SKU-00001", images: 1, outputFormat: "png" }, at(2))).toBeNull();
    expect(claims.claim({ key: "SKU-00002", images: 1, outputFormat: "png" }, at(3))).toBeNull();
    expect(claims.claim({ key: "SKU-00003", images: 2, outputFormat: "webp" }, at(4))).toBeNull();
  });

  it("refuses a row whose file another row's numbered images already write, naming both", () => {
    const claims = createFileClaims();
    expect(claims.claim({ key: "a", images: 2, outputFormat: undefined }, at(3))).toBeNull();
    const problem = claims.claim({ key: "a-1", images: 1, outputFormat: undefined }, at(7));
    expect(problem?.message).toBe(
      'catalogue.csv line 7: id "a-1" would write images/a-1.png, ' +
        'which line 3 (id "a", 2 images) writes too; rename one',
    );
  });

  it("refuses two ids that sanitise to the same name", () => {
    const claims = createFileClaims();
    expect(claims.claim({ key: "ABC/123", images: 1, outputFormat: "jpeg" }, at(2))).toBeNull();
    expect(claims.claim({ key: "ABC_123", images: 1, outputFormat: "jpeg" }, at(5))?.message).toBe(
      'catalogue.csv line 5: id "ABC_123" would write images/ABC_123.jpg, ' +
        'which line 2 (id "ABC/123") writes too; rename one',
    );
  });
});
