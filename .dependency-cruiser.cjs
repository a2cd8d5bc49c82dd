/**
 * The import rules of src/ (docs/architecture.md "Layers"), checked by `npm run deps` in
 * `npm run check`: no cycles between files, and between folders imports point down only — a
 * folder may import the folders listed before it in LAYERS, never one after it. So no two folders
 * import each other and there is no folder cycle. Tests are free to import anything.
 */
const LAYERS = [
  "core", // vocabulary: models, inputs, money, errors, exit codes, durations, file names
  "config", // the environment and the defaults
  "log", // pino loggers, episodes
  "runflow", // the HTTP client of the Runflow API, its error table and retry policy
  "redis", // watched connections, the managed local redis-server
  "manifest", // reading and validating manifests
  "feed", // product feeds through recipes (Liquid) into manifest rows; feeds from URLs
  "pricing", // prices, totals
  "ratelimit", // request limits shared through Redis, or adaptive
  "callbacks", // the callback receiver and the wakeups rows sleep on
  "simulator", // the local Runflow API
  "ledger", // our record of batches and rows in Redis (keys, Lua)
  "outdir", // the output directory as a batch: marker, probe, images on disk
  "queue", // BullMQ: a batch's lane, job data, the producer
  "worker", // one row's life, the worker process
  "report", // renderers: results lines, cost reports, report.html, status views
  "notify", // the signed notification when a batch ends
  "runtime", // what a command runs with: io, Redis, ledger, client
  "batch", // a batch's life: open (scan, plan, pre-flight, apply), run, end (reports)
  "schedule", // schedule files, serve's occurrences
  "dashboard", // the web dashboard, /metrics
  "commands", // one use case per file
  "cli", // flags only
];

const layerRules = LAYERS.map((layer, index) => ({
  name: `layer-${layer}`,
  comment: `src/${layer}/ may import only ${LAYERS.slice(0, index).join(", ") || "nothing of ours"}`,
  severity: "error",
  from: { path: `^src/${layer}/`, pathNot: "\\.test\\.ts$" },
  to: { path: `^src/(${LAYERS.slice(index + 1).join("|") || "(?!)"})/` },
}));

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "no import cycles between files",
      from: {},
      to: { circular: true },
    },
    {
      name: "known-folders",
      severity: "error",
      comment: "every folder of src/ has its place in LAYERS (.dependency-cruiser.cjs)",
      from: { path: "^src/" },
      to: { path: `^src/(?!(${LAYERS.join("|")})/)[^/]+/` },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.test\\.ts$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
