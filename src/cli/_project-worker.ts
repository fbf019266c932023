// Worker entry (bundled into the binary as its own entrypoint by scripts/build.ts): counts one part
// of a paths file, split at a line boundary by `project --format summary`, and posts the counts back.
import { compileRules, LineTally, type TallyCounts } from "../projection/index.ts";
import type { ProjectionRules } from "../schema/index.ts";
import { feedFileRange, NotTextError } from "./_line-feeder.ts";

/** What the main thread asks for: a byte range of a file, and the validated rules. */
export interface TallyRequest {
  readonly file: string;
  readonly from: number;
  readonly to: number;
  readonly rules: ProjectionRules;
}

/** The answer: the part's counts, or why it failed. */
export type TallyReply =
  | { readonly ok: true; readonly counts: TallyCounts }
  | { readonly ok: false; readonly message: string; readonly notText?: NotTextError["received"] };

declare const self: Worker;

self.onmessage = async (event: MessageEvent<TallyRequest>) => {
  const reply = await tally(event.data).catch(
    (error: unknown): TallyReply =>
      error instanceof NotTextError
        ? { ok: false, message: error.message, notText: error.received }
        : { ok: false, message: error instanceof Error ? error.message : String(error) },
  );
  self.postMessage(reply);
};

async function tally(request: TallyRequest): Promise<TallyReply> {
  const compiled = compileRules(request.rules);
  if (!compiled.ok) return { ok: false, message: compiled.issues[0].message };
  const lineTally = LineTally.create(compiled.value, { onInvalidUtf8: () => { throw new NotTextError("bytes that are not UTF-8"); } });
  if (lineTally === undefined) return { ok: false, message: "rules cannot be held by the byte core" };
  await feedFileRange(request.file, request.from, request.to, lineTally);
  return { ok: true, counts: lineTally.counts() };
}
