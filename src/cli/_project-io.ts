import type { Issue } from "../schema/index.ts";
import { ProjectionInputError } from "../projection/index.ts";
import { OutputFile } from "./_output-file.ts";

// What `project` and its surface input share: where output goes, and how an unreadable input is reported.

/** What `project` reads: one path per line, a capability-surface.json, or an archive (or extracted directory). */
export type InputKind = "lines" | "surface-json" | "archive";

/** The output formats of `project`. */
export type ProjectFormat = "json" | "ndjson" | "summary";

/** Where `project` writes. */
export interface Sink {
  write(text: string): void;
  /** Writes bytes that are valid only during the call (it copies or writes them at once). */
  writeBytes(bytes: Uint8Array): void;
  commit(): Promise<void>;
  abandon(): void;
}

/** Stdout written in place, or `--output` written whole or not at all; synchronously, so ndjson never queues without bound. */
export function openSink(output: string | undefined): Sink {
  const file = output === undefined ? new OutputFile("stdout", "/dev/stdout") : new OutputFile("--output", output);
  return { write: (text) => file.write(text), writeBytes: (bytes) => file.writeBytes(bytes), commit: async () => file.commit(), abandon: () => file.abandon() };
}

/** An input error of one issue naming `file` (and the archive `member`, if any). */
export function inputError(
  code: "RULES_INVALID" | "INPUT_INVALID",
  file: string,
  path: string,
  expected: string,
  received: string,
  message: string,
  cause?: unknown,
  member?: string,
): ProjectionInputError {
  const issue: Issue = { code, file, ...(member === undefined ? {} : { member }), path, expected, received, message };
  return new ProjectionInputError(code, [issue], cause === undefined ? undefined : { cause });
}

/** A read failure in a few words ("no such file or directory" for ENOENT). */
export function describe(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && error.code === "ENOENT") return "no such file or directory";
  return error instanceof Error ? error.message : String(error);
}
