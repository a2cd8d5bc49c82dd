/** Writes a generated file of `rows` lines after `header`, in chunks, minding backpressure. */
import { createWriteStream } from "node:fs";

export async function writeLines(
  file: string,
  header: string,
  rows: number,
  line: (i: number) => string,
): Promise<void> {
  const out = createWriteStream(file);
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once("drain", () => resolve()));
  await write(header);
  let chunk = "";
  for (let i = 1; i <= rows; i++) {
    chunk += line(i);
    if (i % 2000 === 0) {
      await write(chunk);
      chunk = "";
    }
  }
  await write(chunk);
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}
