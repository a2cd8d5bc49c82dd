/**
 * bull-board at /queues over the tool's two queues, read-only unless actions are allowed.
 * Imported lazily: the dashboard's other pages start without it.
 */
import type { Hono } from "hono";
import type { Queues } from "../queue/queues.js";

export async function mountBullBoard(app: Hono, queues: Queues, allowActions: boolean): Promise<void> {
  const [{ createBullBoard }, { BullMQAdapter }, { HonoAdapter }, { serveStatic }] = await Promise.all([
    import("@bull-board/api"),
    import("@bull-board/api/bullMQAdapter"),
    import("@bull-board/hono"),
    import("@hono/node-server/serve-static"),
  ]);
  const adapter = new HonoAdapter(serveStatic);
  const options = { readOnlyMode: !allowActions, allowRetries: allowActions };
  createBullBoard({
    queues: [new BullMQAdapter(queues.generate, options), new BullMQAdapter(queues.edit, options)],
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: "runflow-batch queues" } },
  });
  adapter.setBasePath("/queues");
  app.route("/queues", adapter.registerPlugin());
}
