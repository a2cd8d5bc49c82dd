/** Loads the queue commands' heavy dependencies (queue-kit.ts) only when a command runs. */
export const loadQueueKit = () => import("./queue-kit.js");
