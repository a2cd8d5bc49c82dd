import { describe, expect, it } from "vitest";
import { clusterFault, isRedisFault } from "./faults.js";

function reply(message: string): Error {
  const error = new Error(message);
  error.name = "ReplyError";
  return error;
}

describe("a Redis Cluster's answers", () => {
  it("are a sentence saying what to do and exit 4, never an unexpected error", () => {
    expect(clusterFault(reply("MOVED 3999 127.0.0.1:7001"))).toMatchObject({
      exitCode: 4,
      message: expect.stringMatching(
        /node of a Redis Cluster that does not hold these keys: set RUNFLOW_BATCH_REDIS_CLUSTER=1 .*MOVED 3999/,
      ),
    });
    expect(clusterFault(reply("ASK 3999 127.0.0.1:7002"))?.message).toMatch(/slots are moving/);
    expect(clusterFault(reply("CROSSSLOT Keys in request don't hash to the same slot"))?.message).toMatch(
      /keys are in different slots.*same key layout|own hash tag/,
    );
    expect(clusterFault(reply("CLUSTERDOWN The cluster is down"))?.message).toMatch(
      /Redis Cluster is down.*cluster_state:ok/,
    );
  });

  it("are found among an error's causes, and nothing else is taken for one", () => {
    const wrapped = new Error("could not record the row", { cause: reply("CROSSSLOT Keys …") });
    expect(clusterFault(wrapped)?.message).toMatch(/different slots/);
    expect(clusterFault(reply("ERR unknown command"))).toBeNull();
    expect(clusterFault(new Error("Connection is closed."))).toBeNull();
    expect(clusterFault("MOVED 1 x:1")).toBeNull();
  });

  it("what a node restarting answers is a passing Redis fault: the row waits and tries again", () => {
    expect(isRedisFault(reply("CLUSTERDOWN The cluster is down"))).toBe(true);
    expect(isRedisFault(reply("NOSCRIPT No matching script. Please use EVAL."))).toBe(true);
    expect(isRedisFault(reply("EXECABORT Transaction discarded because of previous errors."))).toBe(true);
    const redirections = new Error("Too many Cluster redirections. Last error: ReplyError: MOVED 1 x:1");
    expect(isRedisFault(redirections)).toBe(true);
    expect(clusterFault(redirections)?.message).toMatch(/kept sending the command elsewhere.*run the same/);
    expect(isRedisFault(reply("CROSSSLOT Keys in request don't hash to the same slot"))).toBe(false);
  });
});
