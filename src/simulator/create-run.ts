/**
 * POST /v1/models/{model path}/runs, after auth and faults: parse, replay or refuse by
 * Idempotency-Key, validate (checkModelInput: the same rules the manifest validator uses), price,
 * reserve credit, create. Order: 400 malformed → 409/replay → 404 model → 422 input → 402 credit.
 */
import { formatUsd } from "../core/money.js";
import { priceOf, UnknownPriceError } from "../pricing/table.js";
import { checkModelInput } from "../core/model-inputs.js";
import { isModelId, isQuality, type ModelId } from "../core/models.js";
import { outputSpecOf } from "./dimensions.js";
import type { Engine } from "./engine.js";
import type { FieldError } from "./http-io.js";
import { parseJsonObject } from "./http-io.js";
import { fingerprintOf } from "./idempotency.js";
import { uuidv7 } from "./ids.js";
import { ownUrlErrors } from "./input-urls.js";
import { planRun, type SimRun } from "./run-store.js";

export type CreateOutcome =
  | { kind: "created"; run: SimRun }
  | { kind: "replayed"; run: SimRun }
  | { kind: "error"; status: number; code: string; message: string; errors?: FieldError[] };

const fail = (status: number, code: string, message: string, errors?: FieldError[]): CreateOutcome =>
  errors ? { kind: "error", status, code, message, errors } : { kind: "error", status, code, message };

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

/** The envelope fields around `input`. */
function envelopeErrors(body: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: string, expected: string, found: unknown) =>
    errors.push({ field, expected, found, message: `${field} must be ${expected}, got ${describe(found)}` });
  const { input, callback_url: callbackUrl, metadata, client_ref: clientRef, ...rest } = body;
  if (input === null || typeof input !== "object" || Array.isArray(input))
    add("input", "an object of model inputs", input);
  if (
    callbackUrl !== undefined &&
    callbackUrl !== null &&
    (typeof callbackUrl !== "string" || !isHttpUrl(callbackUrl))
  ) {
    add("callback_url", "an http(s) URL or null", callbackUrl);
  }
  if (
    metadata !== undefined &&
    metadata !== null &&
    (typeof metadata !== "object" || Array.isArray(metadata))
  )
    add("metadata", "an object or null", metadata);
  if (
    clientRef !== undefined &&
    clientRef !== null &&
    (typeof clientRef !== "string" || clientRef.length > 255)
  ) {
    add("client_ref", "text of at most 255 characters", clientRef);
  }
  for (const key of Object.keys(rest)) add(key, "absent (unknown field)", rest[key]);
  return errors;
}

const errorsOf = (...lists: readonly (readonly FieldError[])[]) => lists.some((list) => list.length > 0);

/** A create seen before under its key: the run it made, again (replayed), or 409 for another body; else null. */
function replayOf(engine: Engine, key: string, fingerprint: string, now: number): CreateOutcome | null {
  const seen = engine.idempotency.lookup(key, fingerprint, now);
  const run = seen.kind === "new" ? undefined : engine.runs.get(seen.runId);
  if (seen.kind === "conflict") {
    return fail(
      409,
      "CONFLICT",
      `Idempotency-Key ${JSON.stringify(key)} was already used with a different request body ` +
        `(run ${seen.runId}); use a new key for a new request.`,
    );
  }
  if (!run) return null;
  engine.book.countReplay();
  return { kind: "replayed", run };
}

/** Everything wrong with the body for this model: its envelope, its input, its own output URLs. */
function validationErrors(
  engine: Engine,
  model: ModelId,
  body: Record<string, unknown>,
  origins: readonly string[],
  now: number,
): FieldError[] {
  const shapeErrors = envelopeErrors(body);
  const input = body.input as Record<string, unknown>;
  const inputErrors: FieldError[] = shapeErrors.some((e) => e.field === "input")
    ? []
    : checkModelInput(model, input).map((p) => {
        const field = p.field === "input" ? "input" : `input.${p.field}`;
        const message =
          p.kind === "unknown"
            ? `${field} is not an input of ${model}`
            : `${field} must be ${p.expected}, got ${describe(p.found)}`;
        return { field, expected: p.expected, found: p.found, message };
      });
  // Images by URL that are this simulator's own outputs are fetched as Runflow would (input-urls.ts).
  const urlErrors = errorsOf(shapeErrors, inputErrors) ? [] : ownUrlErrors(engine, input, origins, now);
  return [...shapeErrors, ...inputErrors, ...urlErrors];
}

/** The run's price, reserved from the credit; or why it cannot be (402, or a gap in the price table). */
function reservePrice(
  engine: Engine,
  model: ModelId,
  input: Record<string, unknown>,
  count: number,
): number | CreateOutcome {
  let price: number;
  try {
    price = priceOf(engine.settings().prices, model, isQuality(input.quality) ? input.quality : null, count);
  } catch (error) {
    if (error instanceof UnknownPriceError)
      return fail(500, "INTERNAL_ERROR", `simulator price table: ${error.message}`);
    throw error;
  }
  if (engine.billing.tryReserve(price)) return price;
  const available = formatUsd(Math.max(0, engine.billing.availableMicros()), 6);
  return fail(
    402,
    "INSUFFICIENT_CREDIT",
    `This run costs $${formatUsd(price, 6)} but only $${available} of credit is available; ` +
      "top up the balance and retry.",
  );
}

/** `origins`: where this simulator answers (its own base URL, and the request's): its outputs' URLs. */
export function createRun(
  engine: Engine,
  modelPath: string,
  raw: Buffer,
  idempotencyKey: string | null,
  now: number,
  origins: readonly string[] = [],
): CreateOutcome {
  const parsed = parseJsonObject(raw);
  if (!parsed.ok) return fail(400, "BAD_REQUEST", parsed.message);
  const body = parsed.value;

  const fingerprint = idempotencyKey === null ? "" : fingerprintOf(modelPath, body);
  if (idempotencyKey !== null) {
    const replayed = replayOf(engine, idempotencyKey, fingerprint, now);
    if (replayed) return replayed;
  }

  if (!isModelId(modelPath))
    return fail(
      404,
      "MODEL_NOT_FOUND",
      `No model at ${JSON.stringify(modelPath)}; known models are listed in docs/runflow-api.md.`,
    );
  const model = modelPath;
  const errors = validationErrors(engine, model, body, origins, now);
  if (errors.length > 0) {
    return fail(
      422,
      "VALIDATION_ERROR",
      `Input validation failed for ${model}: ${errors.map((e) => e.message).join("; ")}`,
      errors,
    );
  }

  const input = body.input as Record<string, unknown>;
  const output = outputSpecOf(model, input);
  const price = reservePrice(engine, model, input, output.count);
  if (typeof price !== "number") return price;
  const settings = engine.settings();
  const plan = planRun(engine.random("runs"), now, settings.latency, settings.failRate);
  const callbackUrl = typeof body.callback_url === "string" ? body.callback_url : null;
  const run: SimRun = {
    id: uuidv7(now),
    seq: engine.runs.nextSeq(),
    model,
    input,
    metadata: body.metadata ?? null,
    clientRef: typeof body.client_ref === "string" ? body.client_ref : null,
    callbackUrl,
    idempotencyKey,
    createdMs: now,
    ...plan,
    priceMicros: price,
    output,
  };
  engine.addRun(run, idempotencyKey === null ? null : fingerprint);
  return { kind: "created", run };
}
