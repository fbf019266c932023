import { availableParallelism, loadavg } from "node:os";
import { runCapabilities, type PathProjector, type RunCapabilities } from "../review/index.ts";
import type { ProjectionRules } from "../schema/index.ts";
import { openProjectedRun } from "./_review-io.ts";
import type { ReviewReply, ReviewRequest } from "./_review-worker.ts";

/**
 * Opens and projects archives and hands each run to `use` in the order given. With two or more
 * archives and a second core, a worker opens some of them meanwhile (reading, inflating, parsing
 * and projecting are most of `baseline`'s time); what it cannot do, the main thread does, so the
 * runs, their order and any error are the same as one thread's. Only when a core is idle (by the
 * load average); `ASSAY_REVIEW_PARALLEL=0` keeps to one thread, `=1` starts the worker regardless.
 * Returns how many runs the worker gave.
 */
export async function forEachRun(
  archives: readonly string[],
  rules: { readonly rules: ProjectionRules; readonly file: string; readonly projector: PathProjector },
  use: (archive: string, run: RunCapabilities) => void,
): Promise<{ readonly fromWorker: number }> {
  const local = async (archive: string) => runCapabilities(await openProjectedRun(archive, rules.projector));
  const worker = archives.length >= 2 && parallelWanted() ? startWorker() : undefined;
  if (worker === undefined) {
    for (const archive of archives) use(archive, await local(archive));
    return { fromWorker: 0 };
  }
  // Each archive is claimed by one lane: the main thread's, or the worker's (with two requests in
  // flight, so it does not wait for the busy main thread to send the next).
  const slots = archives.map(() => deferred<RunCapabilities | undefined>());
  let next = 0;
  let stopped = false;
  let fromWorker = 0;
  const claim = (): number => (stopped || next >= archives.length ? -1 : next++);
  const mainLane = async () => {
    for (let i = claim(); i >= 0; i = claim()) {
      const run = local(archives[i]!);
      slots[i]!.settle(run);
      await run.catch(() => undefined);
    }
  };
  try {
    const request = (i: number): ReviewRequest => ({ archive: archives[i]!, rules: rules.rules, rulesFile: rules.file });
    const fromLane = (i: number, reply: ReviewReply) => {
      if (reply.ok) fromWorker++;
      slots[i]!.settle(Promise.resolve(reply.ok ? reply.run : undefined));
    };
    const lanes = [worker.lane(claim, request, fromLane), mainLane()];
    for (let i = 0; i < archives.length; i++) {
      // A run the worker could not give is opened here, with the error one thread would report.
      const run = (await slots[i]!.promise) ?? (await local(archives[i]!));
      use(archives[i]!, run);
    }
    await Promise.all(lanes);
    return { fromWorker };
  } finally {
    stopped = true;
    worker.terminate();
  }
}

// --- internal ---

interface Deferred<T> {
  readonly promise: Promise<T>;
  settle(value: Promise<T>): void;
}

function deferred<T>(): Deferred<T> {
  let settle!: (value: Promise<T>) => void;
  const promise = new Promise<T>((resolve) => (settle = resolve));
  // A slot nobody reads after an error must not become an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, settle };
}

interface ReviewWorker {
  /** Sends the archives it claims, `IN_FLIGHT` at a time, until `claim` gives -1. */
  lane(claim: () => number, request: (index: number) => ReviewRequest, done: (index: number, reply: ReviewReply) => void): Promise<void>;
  terminate(): void;
}

const IN_FLIGHT = 2;

function startWorker(): ReviewWorker | undefined {
  let worker: Worker;
  try {
    worker = new Worker(workerUrl());
  } catch {
    return undefined;
  }
  // The worker answers in request order; a worker that fails answers everything still pending as failed.
  const pending: ((reply: ReviewReply) => void)[] = [];
  let broken = false;
  worker.onmessage = (event: MessageEvent<ReviewReply>) => pending.shift()?.(event.data);
  worker.onerror = () => {
    broken = true;
    for (const resolve of pending.splice(0)) resolve({ ok: false });
  };
  const ask = (request: ReviewRequest): Promise<ReviewReply> => {
    if (broken) return Promise.resolve({ ok: false });
    return new Promise((resolve) => {
      pending.push(resolve);
      worker.postMessage(request);
    });
  };
  return {
    async lane(claim, request, done) {
      // A broken worker claims no more: the main thread's lane takes the rest.
      const one = async () => {
        while (!broken) {
          const i = claim();
          if (i < 0) return;
          done(i, await ask(request(i)));
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, one));
    },
    terminate: () => {
      broken = true;
      for (const resolve of pending.splice(0)) resolve({ ok: false });
      worker.terminate();
    },
  };
}

// A second thread pays for its own start and warm-up (measured: a quarter more CPU for 100 runs):
// worth it only when a core is idle. On a busy host it only takes time from the other processes.
function parallelWanted(): boolean {
  const knob = process.env.ASSAY_REVIEW_PARALLEL;
  if (knob === "0" || knob === "1") return knob === "1";
  const cores = availableParallelism();
  return cores > 1 && cores - (loadavg()[0] ?? cores) >= 1;
}

// The worker entry beside this file; in the compiled binary the bundle's chunks (this one among
// them) sit at the root of its embedded file system, and the worker entry at cli/ below it.
function workerUrl(): URL {
  const inBinary = import.meta.url.includes("/$bunfs/");
  return new URL(inBinary ? "./cli/_review-worker.ts" : "./_review-worker.ts", import.meta.url);
}
