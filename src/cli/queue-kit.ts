/**
 * Everything the queue commands need that pulls in BullMQ, ioredis, undici or the simulator.
 * Commands load it through load-queue-kit.ts when they run, so `estimate` and
 * `--help` start fast and small.
 */
export { openQueueDeps, runflowClientFor } from "./deps.js";
export { openBatch } from "./open-batch.js";
export { applyCap } from "../pipeline/budget-cap.js";
export { runBatch } from "../pipeline/run-batch.js";
export { enqueueManifest } from "../queue/producer.js";
export { createQueues } from "../queue/queues.js";
export { writeReports } from "../report/write-reports.js";
export { startSimulator } from "../simulator/index.js";
export { createWorker } from "../worker/worker.js";
