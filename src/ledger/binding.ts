/**
 * What a batch is bound to: the Runflow endpoint (base URL, or the built-in simulator whatever
 * port it listens on) and the account (a fingerprint of the API key, never the key). A batch's
 * default id comes from its output directory and its binding, never from the manifest's bytes:
 * the same command resumes, another directory is another batch. Pure (hashing only).
 */
import { createHash } from "node:crypto";

export const SIMULATOR_ENDPOINT = "the built-in simulator";

export interface Binding {
  /** A normalised base URL, or SIMULATOR_ENDPOINT. */
  readonly endpoint: string;
  /** `acct-` + 16 hex digits of a SHA-256 of the key: tells accounts apart, reveals nothing. */
  readonly account: string;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function normaliseEndpoint(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`.toLowerCase();
  } catch {
    return baseUrl.trim().replace(/\/+$/, "").toLowerCase();
  }
}

export function accountFingerprint(apiKey: string): string {
  return `acct-${sha256(`runflow-batch account\n${apiKey}`).slice(0, 16)}`;
}

/** The binding of a real endpoint, or of the simulator (`baseUrl` null). */
export function bindingFor(baseUrl: string | null, apiKey: string): Binding {
  return {
    endpoint: baseUrl === null ? SIMULATOR_ENDPOINT : normaliseEndpoint(baseUrl),
    account: accountFingerprint(apiKey),
  };
}

export function sameBinding(a: Binding, b: Binding): boolean {
  return a.endpoint === b.endpoint && a.account === b.account;
}

/** "https://api.runflow.io, account acct-1a2b…" for messages. */
export function describeBinding(binding: Binding): string {
  return `${binding.endpoint} (account ${binding.account})`;
}

/** 12 hex digits naming a binding in Redis keys (the pool of batches its workers discover). */
export function bindingId(binding: Binding): string {
  return sha256(`${binding.endpoint}\n${binding.account}`).slice(0, 12);
}

/** `b-` + 12 hex digits from the resolved output directory and the binding. */
export function defaultBatchId(resolvedOutDir: string, binding: Binding): string {
  return `b-${sha256(`${resolvedOutDir}\n${binding.endpoint}\n${binding.account}`).slice(0, 12)}`;
}
