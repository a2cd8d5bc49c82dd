/**
 * Downloads a finished run's images into DIR/images/ under the row's safe names, a few at a
 * time per process. Each file is written atomically by the client (temp file, then rename).
 */
import path from "node:path";
import type { LimitFunction } from "p-limit";
import type { Run, RunflowClient } from "../runflow/types.js";
import { imageBasesFor } from "../outdir/file-names.js";

export async function downloadOutputs(
  client: RunflowClient,
  run: Run,
  rowKey: string,
  outDir: string,
  limit: LimitFunction,
): Promise<string[]> {
  const bases = imageBasesFor(rowKey, run.outputUrls.length);
  const files = await Promise.all(
    run.outputUrls.map((url, index) =>
      limit(() =>
        client.downloadOutput({
          runId: run.id,
          index,
          url,
          destBase: path.join(outDir, "images", bases[index] as string),
          // Partial files stay out of images/: a crash mid-download leaves nothing half-written there.
          tempDir: path.join(outDir, ".partial"),
        }),
      ),
    ),
  );
  return files.map((file) => path.relative(outDir, file.path).split(path.sep).join("/"));
}
