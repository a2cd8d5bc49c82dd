/**
 * bull-board at /queues over the queues of the batches listed (each batch has its own pair),
 * read-only unless actions are allowed. The list is refreshed on every visit, so a batch
 * started after the dashboard shows up. Imported lazily: the other pages start without it.
 */
import type { Hono } from "hono";
import type { Queue } from "bullmq";

export type QueueLister = () => Promise<Queue[]>;

export async function mountBullBoard(app: Hono, list: QueueLister, allowActions: boolean): Promise<void> {
  const [{ createBullBoard }, { BullMQAdapter }, { HonoAdapter }, { serveStatic }] = await Promise.all([
    import("@bull-board/api"),
    import("@bull-board/api/bullMQAdapter"),
    import("@bull-board/hono"),
    import("@hono/node-server/serve-static"),
  ]);
  const adapter = new HonoAdapter(serveStatic);
  const options = { readOnlyMode: !allowActions, allowRetries: allowActions };
  const adapters = new Map<Queue, InstanceType<typeof BullMQAdapter>>();
  const board = createBullBoard({
    queues: [],
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: "runflow-batch queues" } },
  });
  app.use("/queues/*", async (_c, next) => {
    const queues = await list();
    board.replaceQueues(
      queues.map((queue) => {
        let one = adapters.get(queue);
        if (!one) {
          one = new BullMQAdapter(queue, options);
          adapters.set(queue, one);
        }
        return one;
      }),
    );
    await next();
  });
  adapter.setBasePath("/queues");
  app.route("/queues", adapter.registerPlugin());
}
