/** Report files are written through the batch directory's store (outdir/store.ts); a file of its own path here. */
export { openLineFile, type LineFile } from "../outdir/line-file.js";
