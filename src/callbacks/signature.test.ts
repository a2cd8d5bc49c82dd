import { describe, expect, it } from "vitest";
import { signBody } from "../simulator/callbacks.js";
import { parseListenAddress, checkCallbackUrl } from "./listen-address.js";
import { callbackRunId, signatureMatches, signatureOf } from "./signature.js";

describe("callback signatures", () => {
  const body = Buffer.from('{"event":"run.completed","run_id":"run_1","status":"succeeded"}');
  it("accepts exactly the simulator's signature of the raw bytes", () => {
    expect(signatureOf("whsec_x", body)).toBe(signBody("whsec_x", body));
    expect(signatureMatches("whsec_x", body, signBody("whsec_x", body))).toBe(true);
    expect(signatureMatches("whsec_x", body, signBody("whsec_x", body).toUpperCase())).toBe(true);
  });
  it("refuses a missing, malformed, other-secret or other-body signature", () => {
    expect(signatureMatches("whsec_x", body, undefined)).toBe(false);
    expect(signatureMatches("whsec_x", body, "abc")).toBe(false);
    expect(signatureMatches("whsec_x", body, signBody("whsec_y", body))).toBe(false);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    expect(signatureMatches("whsec_x", reserialised, signBody("whsec_x", body))).toBe(false);
  });
  it("reads the run id, or null for what is not a callback", () => {
    expect(callbackRunId(body)).toBe("run_1");
    expect(callbackRunId(Buffer.from("not json"))).toBeNull();
    expect(callbackRunId(Buffer.from('{"run_id":7}'))).toBeNull();
    expect(callbackRunId(Buffer.from("null"))).toBeNull();
  });
});

describe("callback listen address", () => {
  const url = checkCallbackUrl("https://batch.example.com/runflow");
  it("defaults to the URL's port on every interface", () => {
    expect(parseListenAddress(undefined, url)).toEqual({ host: "0.0.0.0", port: 443 });
    expect(parseListenAddress(undefined, checkCallbackUrl("http://h:8080/cb"))).toEqual({
      host: "0.0.0.0",
      port: 8080,
    });
  });
  it("reads PORT, HOST:PORT and [IPv6]:PORT, refusing the rest", () => {
    expect(parseListenAddress("9000", url)).toEqual({ host: "0.0.0.0", port: 9000 });
    expect(parseListenAddress("127.0.0.1:0", url)).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseListenAddress("[::1]:9000", url)).toEqual({ host: "::1", port: 9000 });
    expect(() => parseListenAddress("host:99999", url)).toThrow(/\[HOST:\]PORT/);
    expect(() => parseListenAddress("nine", url)).toThrow(/got "nine"/);
    expect(() => checkCallbackUrl("ftp://x")).toThrow(/http or https/);
    expect(() => checkCallbackUrl("/cb")).toThrow(/absolute/);
  });
});
