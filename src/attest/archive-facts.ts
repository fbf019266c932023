import { createHash } from "node:crypto";
import { createReadStream, type Stats } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { formatIssue } from "../schema/index.ts";
import { ArchiveReadError, parseJson, readArchive, verifyArchive, type JsonValue } from "../evidence/index.ts";
import { AttestInputError } from "./errors.ts";
import { KernelSummary, type KernelRow } from "./kernel-summary.ts";

/** What a statement says about an archive, read in one streaming pass after verification. */
export interface ArchiveFacts {
  /** The file name without directories (the subject's name). */
  readonly archiveName: string;
  /** Hex SHA-256 of the archive file's bytes. */
  readonly archiveSha256: string;
  /** Hex SHA-256 of `manifest.json`'s exact bytes (the archive identity). */
  readonly manifestSha256: string;
  readonly runId: string;
  /** Member name → hex SHA-256, from the manifest. */
  readonly memberSha256: ReadonlyMap<string, string>;
  readonly health: { readonly [key: string]: JsonValue };
  /** The `run_finished` event, when there is one. */
  readonly runFinished: { readonly [key: string]: JsonValue } | undefined;
  /** Entries per capability-surface list (`filesystem_paths`, `network_endpoints`, `process_execs`, …). */
  readonly surfaceCounts: Readonly<Record<string, number>>;
  readonly kernel: KernelSummary;
}

/** Hex SHA-256 of a file's bytes, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Verifies an archive file and reads the facts a statement needs. Throws AttestInputError when the
 * path is not a readable `.tar.gz` file or the archive does not verify (an attestation vouches
 * only for a valid archive).
 */
export async function readArchiveFacts(path: string): Promise<ArchiveFacts> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new AttestInputError("ARCHIVE_UNREADABLE", path, `cannot read archive ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  if (!info.isFile())
    throw new AttestInputError("ARCHIVE_UNREADABLE", path, `${path}: expected an archive file (.tar.gz); an extracted directory has no file digest to attest`);
  let report: Awaited<ReturnType<typeof verifyArchive>>;
  try {
    report = await verifyArchive(path);
  } catch (cause) {
    if (cause instanceof ArchiveReadError) throw new AttestInputError("ARCHIVE_UNREADABLE", path, cause.message, { cause });
    throw cause;
  }
  if (!report.valid) {
    const first = report.issues[0];
    const more = report.issues.length > 1 ? ` (and ${report.issues.length - 1} more; see assay-runner verify)` : "";
    throw new AttestInputError(
      "ARCHIVE_NOT_ATTESTABLE",
      path,
      `${path}: the archive does not verify, so it is not attested: ${first ? formatIssue(first) : "invalid"}${more}`,
    );
  }
  const [archiveSha256, contents] = await Promise.all([sha256File(path), readContents(path)]);
  return { archiveName: basename(path), archiveSha256, ...contents };
}

// --- internal ---

const DECODER = new TextDecoder();

async function readContents(path: string): Promise<Omit<ArchiveFacts, "archiveName" | "archiveSha256">> {
  const kernel = new KernelSummary();
  const kept = new Map<string, Uint8Array>();
  let manifestSha256 = "";
  await readArchive(path, (name) => {
    if (name === "layers/kernel.ndjson") return kernelSink(kernel);
    if (name !== "manifest.json" && name !== "observation-health.json" && name !== "events.ndjson" && name !== "capability-surface.json") return undefined;
    const chunks: Uint8Array[] = [];
    const hash = name === "manifest.json" ? createHash("sha256") : undefined;
    return {
      write(chunk) {
        chunks.push(chunk.slice());
        hash?.update(chunk);
      },
      end() {
        kept.set(name, Buffer.concat(chunks));
        if (hash !== undefined) manifestSha256 = hash.digest("hex");
      },
    };
  });
  const manifest = objectOf(parseJson(DECODER.decode(kept.get("manifest.json"))));
  const files = objectOf(manifest.files ?? {});
  const memberSha256 = new Map<string, string>();
  for (const [name, entry] of Object.entries(files)) {
    const digest = objectOf(entry).sha256;
    if (typeof digest === "string") memberSha256.set(name, digest.replace(/^sha256:/, ""));
  }
  const events = DECODER.decode(kept.get("events.ndjson") ?? new Uint8Array())
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => objectOf(parseJson(line)));
  return {
    manifestSha256,
    runId: String(manifest.run_id),
    memberSha256,
    health: objectOf(parseJson(DECODER.decode(kept.get("observation-health.json")))),
    runFinished: events.find((event) => event.type === "run_finished"),
    surfaceCounts: countsOf(objectOf(parseJson(DECODER.decode(kept.get("capability-surface.json"))))),
    kernel,
  };
}

// Parses kernel rows as they stream by; the archive was verified, so every line is a valid row.
function kernelSink(summary: KernelSummary) {
  const decoder = new TextDecoder();
  let carry = "";
  const take = (text: string) => {
    const lines = (carry + text).split("\n");
    carry = lines.pop() ?? "";
    for (const line of lines) if (line.trim() !== "") summary.add(JSON.parse(line) as KernelRow);
  };
  return {
    write(chunk: Uint8Array) {
      take(decoder.decode(chunk, { stream: true }));
    },
    end() {
      take(decoder.decode());
      if (carry.trim() !== "") summary.add(JSON.parse(carry) as KernelRow);
      carry = "";
    },
  };
}

function countsOf(surface: { [key: string]: JsonValue }): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [key, value] of Object.entries(surface)) if (Array.isArray(value)) counts[key] = value.length;
  return counts;
}

function objectOf(value: JsonValue): { [key: string]: JsonValue } {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
}
