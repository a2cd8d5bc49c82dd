import path from "node:path";
import { describe, expect, it } from "vitest";
import { isS3Out, normalizeOut, parseS3Out, resolveOut } from "./out-location.js";

describe("where a batch's directory is", () => {
  it("keeps an S3 prefix in one form, whatever slashes it was written with", () => {
    expect(resolveOut("s3://night-cat/a/b/")).toBe("s3://night-cat/a/b");
    expect(resolveOut("S3://night-cat//a//b")).toBe("s3://night-cat/a/b");
    expect(resolveOut("s3://night-cat")).toBe("s3://night-cat");
    expect(parseS3Out("s3://night-cat/a/b/")).toEqual({ bucket: "night-cat", prefix: "a/b" });
  });

  it("resolves a local directory against the working directory, never an s3:// one", () => {
    expect(resolveOut("out/cat", "/work")).toBe(path.resolve("/work", "out/cat"));
    expect(resolveOut("s3://b-1/x", "/work")).toBe("s3://b-1/x");
    expect(isS3Out("./s3:/x")).toBe(false);
  });

  it("refuses what is not a bucket or has dot parts, saying how to write one", () => {
    expect(() => parseS3Out("s3:///cat")).toThrow(/"" is not a bucket name .* s3:\/\/BUCKET\/PREFIX/);
    expect(() => parseS3Out("s3://Night_Cat/x")).toThrow(/"Night_Cat" is not a bucket name/);
    expect(() => parseS3Out("s3://night/a/../b")).toThrow(/no '.' or '..' parts/);
  });

  it("leaves schedule templates whose bucket is a placeholder as written", () => {
    expect(normalizeOut("s3://{name}/x")).toBe("s3://{name}/x");
    expect(normalizeOut("s3://cat/{name}/{date}/")).toBe("s3://cat/{name}/{date}");
    expect(normalizeOut("out//{name}")).toBe(path.normalize("out//{name}"));
  });
});
