// Worker entry (bundled into the binary as its own entrypoint by scripts/build.ts): opens and
// projects the archives `baseline` hands it, one at a time in the order asked, and posts each
// run's capabilities back. Any failure is answered as such; the main thread then opens that
// archive itself, so its error reads exactly as without a worker.
import { PathProjector, runCapabilities, type RunCapabilities } from "../review/index.ts";
import type { ProjectionRules } from "../schema/index.ts";
import { compileReviewRules, openProjectedRun } from "./_review-io.ts";

/** What the main thread asks for: one archive, projected with the rules (validated, with the file they came from). */
export interface ReviewRequest {
  readonly archive: string;
  readonly rules: ProjectionRules;
  readonly rulesFile: string;
}

/** The answer: the run's capabilities, or that the worker could not give them. */
export type ReviewReply = { readonly ok: true; readonly run: RunCapabilities } | { readonly ok: false };

declare const self: Worker;

let projector: PathProjector | undefined;
// Requests are answered in the order they came: the main thread matches replies to them so.
let queue: Promise<void> = Promise.resolve();

self.onmessage = (event: MessageEvent<ReviewRequest>) => {
  queue = queue.then(async () => self.postMessage(await answer(event.data)));
};

async function answer(request: ReviewRequest): Promise<ReviewReply> {
  try {
    projector ??= new PathProjector(compileReviewRules(request.rules, request.rulesFile));
    return { ok: true, run: runCapabilities(await openProjectedRun(request.archive, projector)) };
  } catch {
    return { ok: false };
  }
}
