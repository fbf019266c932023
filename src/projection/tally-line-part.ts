import type { ProjectionRules } from "../schema/index.ts";
import { feedFileRange, NotTextError } from "./_line-feeder.ts";
import { compileRules } from "./compile-rules.ts";
import { LineTally } from "./line-tally.ts";
import type { TallyCounts } from "./path-tally.ts";

/** What a summary asks a worker for: a byte range of a file (both ends on line starts or the file's ends), and the validated rules. */
export interface TallyRequest {
  readonly file: string;
  readonly from: number;
  readonly to: number;
  readonly rules: ProjectionRules;
}

/** A worker's answer: the part's counts, or why it failed (`notText` when the part is not UTF-8 text). */
export type TallyReply =
  | { readonly ok: true; readonly counts: TallyCounts }
  | { readonly ok: false; readonly message: string; readonly notText?: NotTextError["received"] };

/** Counts one part of a paths file with the byte core, as a summary's worker does; never throws. */
export async function tallyLinePart(request: TallyRequest): Promise<TallyReply> {
  try {
    const compiled = compileRules(request.rules);
    if (!compiled.ok) return { ok: false, message: compiled.issues[0].message };
    const lineTally = LineTally.create(compiled.value, {
      onInvalidUtf8: () => {
        throw new NotTextError("bytes that are not UTF-8");
      },
    });
    if (lineTally === undefined) return { ok: false, message: "rules cannot be held by the byte core" };
    await feedFileRange(request.file, request.from, request.to, lineTally);
    return { ok: true, counts: lineTally.counts() };
  } catch (error) {
    if (error instanceof NotTextError) return { ok: false, message: error.message, notText: error.received };
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
